"""Zoon organization reviews.

URL: `zoon.ru/<city>/<category>/<slug>/` (also `zoon.ru/<city>/<slug>/`). Review cards
(`[data-uitest=comment-item]` with data-id, schema.org Review microdata, the organization's answer
inside the card); without cards, the page's JSON-LD `review` list. Options: `api_base`,
`max_pages`.
"""

from __future__ import annotations

from typing import ClassVar

from scrapers.sources._html_reviews import parse_zoon
from scrapers.sources._html_source import HtmlReviewListSource
from scrapers.sources._reviews_common import ParsedPage


class ZoonSource(HtmlReviewListSource):
    """Reviews of one organization on zoon.ru."""

    kind: ClassVar[str] = "zoon"
    title: ClassVar[str] = "Zoon"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^([a-z]+\.)?zoon\.ru/[a-z_]+/[^?#]+",)
    request_base: ClassVar[tuple[str, tuple[str, ...]]] = ("https://zoon.ru", ("zoon.ru",))

    def parse_text(self, text: str, *, url: str) -> ParsedPage:
        return parse_zoon(text, url=url)
