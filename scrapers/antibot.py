"""Recognise captcha and anti-bot pages so no source mistakes one for "no reviews".

`check_antibot(body, url=..., status=..., headers=..., source=...)` raises
`scrapers.errors.AntiBotPage` naming the protection. The fetcher calls it on every answer; a source
may call it again on anything it fetched another way. JSON answers are not inspected (a review
text may well say "Access denied"), only HTML-looking ones, and only their head.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scrapers.errors import AntiBotPage

_HEAD = 64 * 1024

# (name shown to the owner, pattern over the lower-cased head of an HTML answer)
_BODY_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Yandex SmartCaptcha", re.compile(r"showcaptcha|smartcaptcha|checkcaptcha")),
    ("Cloudflare challenge", re.compile(r"cf-chl|cf_chl_opt|challenge-platform")),
    ("Cloudflare challenge", re.compile(r"<title>\s*just a moment\.\.\.\s*</title>")),
    ("Qrator", re.compile(r"qrator")),
    ("DDoS-Guard", re.compile(r"<title>\s*ddos-guard\s*</title>|ddos-guard\.net/")),
    ("access denied page", re.compile(r"<title>\s*access denied\s*</title>|<h1>\s*access denied")),
    ("Google unusual-traffic page", re.compile(r"our systems have detected unusual traffic")),
    ("captcha page", re.compile(r"<title>[^<]{0,80}captcha[^<]{0,80}</title>")),
    ("Reddit block page", re.compile(r"whoa there, pardner!")),
)
_URL_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Yandex SmartCaptcha", re.compile(r"/showcaptcha|/checkcaptcha")),
    ("captcha page", re.compile(r"/captcha\b|/scripts/captcha")),
    ("Google unusual-traffic page", re.compile(r"google\.[a-z.]+/sorry/")),
)


def _looks_like_html(head: str) -> bool:
    start = head.lstrip()[:200]
    return start.startswith("<") and (
        "<html" in head or "<!doctype html" in head or "<head" in head
    )


def check_antibot(
    body: bytes,
    *,
    url: str,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    source: str = "",
) -> None:
    """Raise AntiBotPage when the answer is a captcha or bot wall rather than content."""
    lowered_url = url.lower()
    for name, pattern in _URL_MARKERS:
        if pattern.search(lowered_url):
            raise AntiBotPage(
                f"{name} instead of content (redirected to {url})", source=source, url=url
            )
    server = (headers or {}).get("Server", "").lower()
    if status in (401, 403, 429, 503) and ("qrator" in server or "ddos-guard" in server):
        raise AntiBotPage(f"{server} blocked the request (HTTP {status})", source=source, url=url)
    head = body[:_HEAD].decode("latin-1").lower()
    if not _looks_like_html(head):
        return
    for name, pattern in _BODY_MARKERS:
        if pattern.search(head):
            raise AntiBotPage(f"{name} instead of content (HTTP {status})", source=source, url=url)
