"""Flamp reviews: Flamp is part of 2GIS and its reviews come through the 2GIS reviews API.

URL: `<city>.flamp.ru/firm/<slug>-<branchId>` (the id is the 2GIS branch id). Options as for
2GIS (`key` to override the key read from the branch's 2gis.ru page, `api_base`, `site_base`,
`locale`, `max_pages`); only reviews with provider "flamp" are kept, so a brand watching both
2GIS and Flamp sees 2GIS-written reviews once. Each review links to its flamp.ru page.
"""

from __future__ import annotations

from typing import ClassVar

from scrapers.sources.twogis import PUBLIC_SITE, TwoGisSource


class FlampSource(TwoGisSource):
    """Reviews written on Flamp for one branch."""

    kind: ClassVar[str] = "flamp"
    title: ClassVar[str] = "Flamp"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^([a-z0-9-]+\.)?flamp\.ru/firm/[^/?#]*\d{6,}",)
    provider: ClassVar[str | None] = "flamp"
    site_domains: ClassVar[tuple[str, ...]] = ("flamp.ru", "2gis.ru")

    def _site_page(self) -> str:
        # flamp.ru pages do not carry the 2GIS key; the branch's 2gis.ru page does.
        base = self.option("site_base") or self.base_url(PUBLIC_SITE, self.site_domains)
        return f"{base.rstrip('/')}/firm/{self.branch_id()}"
