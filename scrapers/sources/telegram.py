"""Public Telegram channels through their web preview (`https://t.me/s/<channel>`).

Each post is `.tgme_widget_message[data-post="<channel>/<id>"]`; the text is
`.tgme_widget_message_text.js-message_text` (the quoted text of a reply is a separate
`.js-message_reply_text` and is left out), the date `time[datetime]` inside the permalink
`a.tgme_widget_message_date`, views `.tgme_widget_message_views` ("1.2K"). Older posts come from
`?before=<id>` (the `a.tme_messages_more[data-before]` link). Service messages (channel created,
renamed, photo changed, message pinned: `.service_message`) are channel events, not posts, and
are skipped, as are posts without text (media only); a poll's text is its question and options.
"No posts found" (`.tme_no_messages_found`) is an empty page. Posts are kept only when they name
one of the brand's aliases. Checked against 31 real message blocks of 2022–23.
Options: `channel` (else from the URL), `api_base` (default https://t.me), `max_pages`.
Limits: only channels with the public preview enabled; at most 20 posts a page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import Page, Source
from scrapers.entries import read_entries
from scrapers.fetch import FetchResponse
from scrapers.parsing import clean_text, parse_iso
from scrapers.records import ScrapedItem

_PUBLIC = "https://t.me"
_PUBLIC_DOMAINS = ("t.me", "telegram.me")
_CHANNEL = re.compile(r"^/(?:s/)?([A-Za-z0-9_]{4,64})(?:/|$)")
_VIEWS = re.compile(r"^([\d.,]+)\s*([KkMm]?)$")


def views_count(text: str) -> int | None:
    """'987' → 987, '1.2K' → 1200, '3.4M' → 3400000."""
    match = _VIEWS.match(text.strip())
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return round(number * scale)


def _text_of(node: Tag) -> str:
    for br in node.find_all("br"):
        br.replace_with("\n")
    return clean_text(node.get_text())


class TelegramSource(Source):
    """Posts of one public channel that mention the brand."""

    kind = "telegram"
    request_base = (_PUBLIC, _PUBLIC_DOMAINS)
    title = "a Telegram channel"
    filters_by_alias = True
    max_pages = 5
    url_patterns = (r"^(www\.)?(t|telegram)\.me/(s/)?[a-z0-9_]{4,}",)

    def check(self) -> None:
        super().check()
        _ = self.channel

    @property
    def channel(self) -> str:
        explicit = self.option("channel")
        if explicit:
            return explicit.lstrip("@")
        match = _CHANNEL.match(urlsplit(self.spec.url).path)
        if not match or match.group(1).lower() in ("joinchat", "share", "addstickers"):
            raise self.misconfigured("no public channel name in the URL")
        return match.group(1)

    async def fetch_page(
        self, token: str | None, *, etag: str | None, last_modified: str | None
    ) -> FetchResponse:
        url = f"{self.requests_to()}/s/{self.channel}"
        return await self.fetcher.get(
            url,
            params={"before": token} if token else None,
            etag=etag,
            last_modified=last_modified,
            source=self.kind,
        )

    def parse(self, response: FetchResponse) -> Page:
        soup = BeautifulSoup(response.text(), "lxml")
        messages = soup.select("div.tgme_widget_message[data-post]")
        if not messages and soup.select_one(".tme_no_messages_found") is not None:
            return Page([])  # a channel (or a search in it) without posts
        if not messages and soup.select_one(".tgme_channel_info") is None:
            raise self.error(
                "no channel preview on the page (private channel, preview disabled, "
                "or layout changed?)",
                response.url,
            )
        read = read_entries(messages, lambda node: self._item(node, response.url), what="post")
        return Page(read.items, self._older(soup), skipped=tuple(read.skipped))

    def _item(self, node: Tag, url: str) -> ScrapedItem | None:
        if "service_message" in node.get_attribute_list("class"):
            return None
        text_node = node.select_one(".tgme_widget_message_text.js-message_text")
        poll = node.select_one(".tgme_widget_message_poll")
        if text_node is None and poll is None:
            return None
        post = str(node["data-post"])
        date_link = node.select_one("a.tgme_widget_message_date")
        moment = date_link.select_one("time[datetime]") if date_link else None
        if moment is None:
            raise self.error(f"post {post} has no time[datetime] (layout changed?)", url)
        author_node = node.select_one(".tgme_widget_message_from_author") or node.select_one(
            ".tgme_widget_message_owner_name"
        )
        extra: dict[str, str] = {}
        views_node = node.select_one(".tgme_widget_message_views")
        if views_node is not None:
            views = views_count(views_node.get_text())
            if views is not None:
                extra["views"] = str(views)
        forwarded = node.select_one(".tgme_widget_message_forwarded_from_name")
        if forwarded is not None:
            extra["forwarded_from"] = clean_text(forwarded.get_text())
        href = date_link.get("href") if date_link else None
        if text_node is not None:
            text = _text_of(text_node)
        else:
            assert poll is not None
            text = "\n".join(
                clean_text(part.get_text())
                for part in poll.select(
                    ".tgme_widget_message_poll_question, .tgme_widget_message_poll_option_text"
                )
            )
            extra["poll"] = "1"
        return ScrapedItem(
            external_id=post,
            url=str(href) if href else f"{_PUBLIC}/{post}",
            text=text,
            author=clean_text(author_node.get_text()) if author_node else None,
            published_at=parse_iso(str(moment["datetime"])),
            extra=extra,
        )

    @staticmethod
    def _older(soup: BeautifulSoup) -> str | None:
        more = soup.select_one("a.tme_messages_more[data-before]")
        if more is not None:
            return str(more["data-before"])
        prev = soup.select_one('link[rel="prev"][href]')
        if prev is not None:
            before = parse_qs(urlsplit(str(prev["href"])).query).get("before")
            if before:
                return before[0]
        return None
