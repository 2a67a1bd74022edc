"""Errors of fetching and reading a source; each names the source and URL it happened at."""

from __future__ import annotations

from common.errors import ConfigError, OtklikError


class SourceError(OtklikError):
    """A source could not be fetched or understood."""

    def __init__(self, message: str, *, source: str = "", url: str = "") -> None:
        super().__init__(message)
        self.source = source
        self.url = url

    def __str__(self) -> str:
        where = " ".join(part for part in (self.source, self.url) if part)
        return f"{where}: {self.args[0]}" if where else str(self.args[0])


class FetchError(SourceError):
    """Network failure, timeout or an HTTP status that retries did not cure (`status`, where
    the site answered one)."""

    def __init__(
        self, message: str, *, source: str = "", url: str = "", status: int | None = None
    ) -> None:
        super().__init__(message, source=source, url=url)
        self.status = status

    @property
    def refused(self) -> bool:
        """The site refused our credentials (HTTP 401/403)."""
        return self.status in (401, 403)


class RateLimited(FetchError):
    """The site asked us to slow down (HTTP 429)."""

    def __init__(
        self, message: str, *, retry_after: float | None, source: str = "", url: str = ""
    ) -> None:
        super().__init__(message, source=source, url=url)
        self.retry_after = retry_after


class ResponseTooLarge(FetchError):
    """The answer is bigger than the configured cap; it was not read into memory."""


class AntiBotPage(SourceError):
    """The site answered with a captcha or anti-bot page instead of content."""


class ParseError(SourceError):
    """The page or API answer does not have the structure the parser knows (layout changed?)."""


class SourceConfigError(SourceError, ConfigError):
    """The source's URL or options cannot work (a missing key, no query, a bad number): the
    owner has to fix the configuration; retrying does not help."""


class NotReviewsPage(SourceConfigError):
    """The URL leads to a page of the site without reviews (a catalog, the home page, another
    API's answer): the source's URL is wrong, the parser is fine."""
