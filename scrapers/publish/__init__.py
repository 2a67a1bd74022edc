"""Publishing the PR team's replies on platforms whose official API allows it.

`ReplyPublisher(session, credentials).publish(target, text)` posts to Google Business Profile,
the Google Play Developer API or App Store Connect and returns `PublishedReply`; every failure is
a `PublishError` with a message for the chat. `reply_link(kind, url, external_id)` gives the
page where a person answers by hand on sites without such an API.
"""

from scrapers.publish.links import reply_link
from scrapers.publish.publisher import (
    PublishedReply,
    PublishError,
    ReplyCredentials,
    ReplyPublisher,
    ReplyTarget,
)

__all__ = [
    "PublishError",
    "PublishedReply",
    "ReplyCredentials",
    "ReplyPublisher",
    "ReplyTarget",
    "reply_link",
]
