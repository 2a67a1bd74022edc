"""Otzovik product reviews.

URL: `otzovik.com/reviews/<slug>/` (list pages `/reviews/<slug>/<N>/`). The list shows each
review's teaser, pluses and minuses (extra truncated=1); the full text is on the review's own page
(`/review_<id>.html`, the item's link). The site shows a captcha (`/scripts/captcha`) to many
networks: reported as AntiBotPage. Options: `api_base`, `max_pages`.
"""

from __future__ import annotations

from typing import ClassVar

from scrapers.sources._html_reviews import parse_otzovik
from scrapers.sources._html_source import HtmlReviewListSource
from scrapers.sources._reviews_common import ParsedPage


class OtzovikSource(HtmlReviewListSource):
    """Reviews of one product or company on otzovik.com."""

    kind: ClassVar[str] = "otzovik"
    title: ClassVar[str] = "Otzovik"
    url_patterns: ClassVar[tuple[str, ...]] = (r"^(www\.)?otzovik\.com/reviews/[^/?#]+",)
    request_base: ClassVar[tuple[str, tuple[str, ...]]] = ("https://otzovik.com", ("otzovik.com",))

    def parse_text(self, text: str, *, url: str) -> ParsedPage:
        return parse_otzovik(text, url=url)
