"""iRecommend product reviews.

URL: `irecommend.ru/content/<slug>` (list pages `?page=N`, counted from 0). The list shows each
review's teaser (extra truncated=1); the full text is on the review's page (the item's link).
Options: `api_base`, `max_pages`.
"""

from __future__ import annotations

from typing import ClassVar

from scrapers.sources._html_reviews import parse_irecommend
from scrapers.sources._html_source import HtmlReviewListSource
from scrapers.sources._reviews_common import ParsedPage


class IrecommendSource(HtmlReviewListSource):
    """Reviews of one product on irecommend.ru."""

    kind: ClassVar[str] = "irecommend"
    title: ClassVar[str] = "iRecommend"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^(www\.)?irecommend\.ru/content/[^/?#]+",)
    request_base: ClassVar[tuple[str, tuple[str, ...]]] = (
        "https://irecommend.ru",
        ("irecommend.ru",),
    )

    def parse_text(self, text: str, *, url: str) -> ParsedPage:
        return parse_irecommend(text, url=url)
