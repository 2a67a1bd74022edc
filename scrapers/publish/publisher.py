"""ReplyPublisher: one method per platform API, the same records and error for all."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import aiohttp
import jwt

from scrapers.errors import SourceError

log = logging.getLogger(__name__)

GOOGLE_BUSINESS_API = "https://mybusiness.googleapis.com"
GOOGLE_PLAY_API = "https://androidpublisher.googleapis.com"
APP_STORE_CONNECT_API = "https://api.appstoreconnect.apple.com"
_KINDS = {
    "google_business": "google_business",
    "google_play": "google_play",
    "appstore": "appstore",
    "app_store": "appstore",
}
_LOCATION = re.compile(r"accounts/([^/?#]+)/locations/([^/?#]+)")
_TIMEOUT = aiohttp.ClientTimeout(total=30)


class PublishError(SourceError):
    """A reply could not be published; the message says why in words the PR team can act on."""


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """The review to answer: its source kind, source or review URL, the site's review id."""

    kind: str
    url: str
    external_id: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PublishedReply:
    published_at: datetime
    remote_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyCredentials:
    """The owner's credentials from the settings; API bases are overridable for tests."""

    google_business_token: str | None = None
    google_play_token: str | None = None
    google_play_package: str | None = None
    appstore_issuer_id: str | None = None
    appstore_key_id: str | None = None
    appstore_private_key: str | None = None
    google_business_api: str = GOOGLE_BUSINESS_API
    google_play_api: str = GOOGLE_PLAY_API
    appstore_api: str = APP_STORE_CONNECT_API


class ReplyPublisher:
    """Posts replies through official APIs with the owner's credentials."""

    def __init__(self, session: aiohttp.ClientSession, credentials: ReplyCredentials) -> None:
        self.session = session
        self.credentials = credentials

    def can_publish(self, kind: str) -> bool:
        """True when `kind` has a reply API and its credentials are configured."""
        creds = self.credentials
        platform = _KINDS.get(kind)
        if platform == "google_business":
            return bool(creds.google_business_token)
        if platform == "google_play":
            return bool(creds.google_play_token)
        if platform == "appstore":
            return bool(
                creds.appstore_issuer_id and creds.appstore_key_id and creds.appstore_private_key
            )
        return False

    async def publish(self, target: ReplyTarget, text: str) -> PublishedReply:
        platform = _KINDS.get(target.kind)
        if platform is None:
            raise PublishError(
                f"{target.kind} has no reply API; answer on the site",
                source=target.kind,
                url=target.url,
            )
        if not self.can_publish(target.kind):
            raise PublishError(
                f"no credentials for publishing on {target.kind} in the settings",
                source=target.kind,
                url=target.url,
            )
        if not text.strip():
            raise PublishError("the reply is empty", source=target.kind, url=target.url)
        if platform == "google_business":
            return await self._google_business(target, text)
        if platform == "google_play":
            return await self._google_play(target, text)
        return await self._appstore(target, text)

    # -- platforms -------------------------------------------------------------------------
    async def _google_business(self, target: ReplyTarget, text: str) -> PublishedReply:
        account = target.extra.get("account_id")
        location = target.extra.get("location_id")
        review_id = target.external_id
        if review_id.startswith("accounts/"):
            name = review_id
        else:
            if not (account and location):
                match = _LOCATION.search(target.url)
                if match is None:
                    raise PublishError(
                        "the source URL names no accounts/<id>/locations/<id>",
                        source=target.kind,
                        url=target.url,
                    )
                account, location = match[1], match[2]
            name = f"accounts/{account}/locations/{location}/reviews/{review_id}"
        url = f"{self.credentials.google_business_api.rstrip('/')}/v4/{name}/reply"
        data = await self._send(
            "PUT",
            url,
            {"comment": text},
            f"Bearer {self.credentials.google_business_token}",
            target,
        )
        return PublishedReply(_time(data.get("updateTime")), f"{name}/reply")

    async def _google_play(self, target: ReplyTarget, text: str) -> PublishedReply:
        package = target.extra.get("package") or _play_package(target.url)
        package = package or self.credentials.google_play_package
        if not package:
            raise PublishError(
                "no app package name for the review", source=target.kind, url=target.url
            )
        url = (
            f"{self.credentials.google_play_api.rstrip('/')}/androidpublisher/v3/applications/"
            f"{quote(package, safe='')}/reviews/{quote(target.external_id, safe='')}:reply"
        )
        data = await self._send(
            "POST",
            url,
            {"replyText": text},
            f"Bearer {self.credentials.google_play_token}",
            target,
        )
        result = _obj(data.get("result"))
        edited = _obj(result.get("lastEdited"))
        seconds = edited.get("seconds")
        published = (
            datetime.fromtimestamp(int(seconds), UTC)
            if isinstance(seconds, str | int) and str(seconds).isdigit()
            else datetime.now(UTC)
        )
        return PublishedReply(published, target.external_id)

    async def _appstore(self, target: ReplyTarget, text: str) -> PublishedReply:
        body = {
            "data": {
                "type": "customerReviewResponses",
                "attributes": {"responseBody": text},
                "relationships": {
                    "review": {"data": {"type": "customerReviews", "id": target.external_id}}
                },
            }
        }
        url = f"{self.credentials.appstore_api.rstrip('/')}/v1/customerReviewResponses"
        data = await self._send("POST", url, body, f"Bearer {self.appstore_token()}", target)
        item = _obj(data.get("data"))
        attributes = _obj(item.get("attributes"))
        remote = item.get("id") if isinstance(item.get("id"), str) else None
        return PublishedReply(_time(attributes.get("lastModifiedDate")), remote)

    def appstore_token(self, now: float | None = None) -> str:
        """A 20-minute App Store Connect JWT (ES256) from the owner's API key."""
        creds = self.credentials
        issued = int(now if now is not None else time.time())
        payload = {
            "iss": creds.appstore_issuer_id,
            "iat": issued,
            "exp": issued + 20 * 60,
            "aud": "appstoreconnect-v1",
        }
        try:
            return jwt.encode(
                payload,
                creds.appstore_private_key or "",
                algorithm="ES256",
                headers={"kid": creds.appstore_key_id, "typ": "JWT"},
            )
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise PublishError(
                f"the App Store Connect private key cannot sign ({exc}); paste the .p8 file's text",
                source="appstore",
            ) from exc

    # -- transport -------------------------------------------------------------------------
    async def _send(
        self, method: str, url: str, body: dict[str, Any], auth: str, target: ReplyTarget
    ) -> dict[str, Any]:
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        try:
            async with self.session.request(
                method,
                url,
                data=json.dumps(body, ensure_ascii=False).encode(),
                headers=headers,
                timeout=_TIMEOUT,
            ) as resp:
                raw = await resp.content.read(1024 * 1024)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PublishError(
                f"could not reach {urlsplit(url).netloc}: {type(exc).__name__} {exc}",
                source=target.kind,
                url=target.url,
            ) from exc
        data = _json(raw)
        if status >= 400:
            raise PublishError(
                f"{urlsplit(url).netloc} refused the reply: HTTP {status} {_api_message(data, raw)}",
                source=target.kind,
                url=target.url,
            )
        log.info("published a reply on %s for review %s", target.kind, target.external_id)
        return data


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8", "replace")) if raw.strip() else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, else {}: an answer missing an optional block still publishes."""
    return value if isinstance(value, dict) else {}


def _api_message(data: dict[str, Any], raw: bytes) -> str:
    error = data.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("detail") or errors[0].get("title") or "")
    return raw[:200].decode("utf-8", "replace").strip()


def _time(value: Any) -> datetime:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(
                re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
            )
        except ValueError:
            return datetime.now(UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _play_package(url: str) -> str | None:
    ids = parse_qs(urlsplit(url).query).get("id")
    return ids[0] if ids else None
