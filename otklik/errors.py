"""The one exception hierarchy. Leaf packages import it; it imports nothing of ours."""

from __future__ import annotations


class OtklikError(Exception):
    """Base of every error Otklik raises on purpose."""


class ConfigError(OtklikError):
    """The settings or the brands file are wrong; the message says where and how."""


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
    """Network failure, timeout or an HTTP status that retries did not cure."""


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


class NotReviewsPage(SourceError):
    """The URL leads to a page of the site without reviews (a catalog, the home page, another
    API's answer): the source's URL is wrong, the parser is fine."""


class SentimentError(OtklikError):
    """A sentiment model could not be loaded or run."""


class DeliveryError(OtklikError):
    """A message could not be delivered to a chat."""


class RetryLater(DeliveryError):
    """Telegram is rate limiting us or is down; try again after retry_after seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatUnavailable(DeliveryError):
    """The chat blocked the bot, was deleted, or the bot was removed: stop sending there."""


class DeliverySkipped(DeliveryError):
    """Deliberately not delivered (alerts paused by the owner): recorded, never retried."""
