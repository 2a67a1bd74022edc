"""Publishing replies: each platform's local fake checks method, path, auth header and body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scrapers.errors import SourceError
from scrapers.publish import (
    PublishedReply,
    PublishError,
    ReplyCredentials,
    ReplyPublisher,
    ReplyTarget,
    reply_link,
)

REPLY = "Спасибо за отзыв! 🙏\nЖдём вас снова."


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def ec_key() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _json_handler(status: int, answer: dict) -> object:
    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.json_response(answer, status=status)

    return handler


async def test_google_business_put_reply(site_server, session) -> None:
    path = "/v4/accounts/108/locations/451/reviews/AbFvOqn4p6X3mT9/reply"
    site_server.add_handler(
        path,
        _json_handler(200, {"comment": REPLY, "updateTime": "2026-03-15T10:00:00.123456789Z"}),
        method="PUT",
    )
    creds = ReplyCredentials(
        google_business_token="ya29.owner", google_business_api=site_server.origin
    )
    publisher = ReplyPublisher(session, creds)
    target = ReplyTarget(
        "google_business",
        "https://mybusiness.googleapis.com/v4/accounts/108/locations/451",
        "AbFvOqn4p6X3mT9",
        {},
    )
    assert publisher.can_publish("google_business")
    published = await publisher.publish(target, REPLY)

    assert published == PublishedReply(
        datetime(2026, 3, 15, 10, 0, 0, 123456, tzinfo=UTC),
        "accounts/108/locations/451/reviews/AbFvOqn4p6X3mT9/reply",
    )
    (request,) = site_server.hits(path)
    assert request.method == "PUT"
    assert request.headers["Authorization"] == "Bearer ya29.owner"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"comment": REPLY}


async def test_google_play_post_reply(site_server, session) -> None:
    path = "/androidpublisher/v3/applications/com.kofemania.app/reviews/gp:AOqpTOFtest:reply"
    site_server.add_handler(
        path,
        _json_handler(
            200,
            {"result": {"replyText": REPLY, "lastEdited": {"seconds": "1773568800", "nanos": 5}}},
        ),
        method="POST",
    )
    creds = ReplyCredentials(google_play_token="ya29.play", google_play_api=site_server.origin)
    target = ReplyTarget(
        "google_play",
        "https://play.google.com/store/apps/details?id=com.kofemania.app&hl=ru",
        "gp:AOqpTOFtest",
        {},
    )
    published = await ReplyPublisher(session, creds).publish(target, REPLY)
    assert published.published_at == datetime.fromtimestamp(1773568800, UTC)
    (request,) = site_server.hits(path)
    assert request.method == "POST"
    assert request.headers["Authorization"] == "Bearer ya29.play"
    assert json.loads(request.body) == {"replyText": REPLY}


async def test_app_store_connect_response_with_es256_jwt(site_server, session, ec_key) -> None:
    private, public = ec_key
    answer = {
        "data": {
            "type": "customerReviewResponses",
            "id": "00000031-7c3a-4d2b-9e2b-1b2c3d4e5f60",
            "attributes": {
                "responseBody": REPLY,
                "lastModifiedDate": "2026-03-15T10:00:00-07:00",
                "state": "PENDING_PUBLISH",
            },
        }
    }
    site_server.add_handler(
        "/v1/customerReviewResponses", _json_handler(201, answer), method="POST"
    )
    creds = ReplyCredentials(
        appstore_issuer_id="57246542-96fe-1a63-e053-0824d011072a",
        appstore_key_id="2X9R4HXF34",
        appstore_private_key=private,
        appstore_api=site_server.origin,
    )
    target = ReplyTarget(
        "appstore", "https://apps.apple.com/ru/app/id1234567890", "10984321155", {}
    )
    published = await ReplyPublisher(session, creds).publish(target, REPLY)

    assert published.remote_id == "00000031-7c3a-4d2b-9e2b-1b2c3d4e5f60"
    assert published.published_at == datetime(2026, 3, 15, 17, 0, tzinfo=UTC)
    (request,) = site_server.hits("/v1/customerReviewResponses")
    assert request.method == "POST"
    scheme, token = request.headers["Authorization"].split(" ", 1)
    assert scheme == "Bearer"
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["kid"] == "2X9R4HXF34" and header["typ"] == "JWT"
    claims = jwt.decode(token, public, algorithms=["ES256"], audience="appstoreconnect-v1")
    assert claims["iss"] == "57246542-96fe-1a63-e053-0824d011072a"
    assert 0 < claims["exp"] - claims["iat"] <= 20 * 60
    assert json.loads(request.body) == {
        "data": {
            "type": "customerReviewResponses",
            "attributes": {"responseBody": REPLY},
            "relationships": {"review": {"data": {"type": "customerReviews", "id": "10984321155"}}},
        }
    }


async def test_refused_reply_is_publish_error_with_api_message(site_server, session) -> None:
    path = "/v4/accounts/1/locations/2/reviews/R1/reply"
    site_server.add_handler(
        path,
        _json_handler(
            403,
            {
                "error": {
                    "code": 403,
                    "message": "The caller does not have permission",
                    "status": "PERMISSION_DENIED",
                }
            },
        ),
        method="PUT",
    )
    creds = ReplyCredentials(google_business_token="t", google_business_api=site_server.origin)
    target = ReplyTarget("google_business", "x", "R1", {"account_id": "1", "location_id": "2"})
    with pytest.raises(
        PublishError, match="HTTP 403 The caller does not have permission"
    ) as caught:
        await ReplyPublisher(session, creds).publish(target, REPLY)
    assert isinstance(caught.value, SourceError)


async def test_unreachable_api_is_publish_error(session) -> None:
    creds = ReplyCredentials(google_play_token="t", google_play_api="http://127.0.0.1:9")
    target = ReplyTarget(
        "google_play", "https://play.google.com/store/apps/details?id=a.b", "gp:1", {}
    )
    with pytest.raises(PublishError, match="could not reach"):
        await ReplyPublisher(session, creds).publish(target, REPLY)


async def test_without_credentials_or_api_nothing_is_sent(site_server, session) -> None:
    publisher = ReplyPublisher(session, ReplyCredentials())
    assert not publisher.can_publish("google_business")
    assert not publisher.can_publish("yandex_maps")
    with pytest.raises(PublishError, match="no credentials"):
        await publisher.publish(ReplyTarget("google_play", "u", "1", {"package": "a.b"}), REPLY)
    with pytest.raises(PublishError, match="no reply API"):
        await publisher.publish(ReplyTarget("otzovik", "u", "1", {}), REPLY)
    assert site_server.requests == []


async def test_bad_app_store_key_is_publish_error(session) -> None:
    creds = ReplyCredentials(
        appstore_issuer_id="i", appstore_key_id="k", appstore_private_key="not a key"
    )
    with pytest.raises(PublishError, match="private key"):
        await ReplyPublisher(session, creds).publish(ReplyTarget("appstore", "u", "1", {}), REPLY)


@pytest.mark.parametrize(
    ("kind", "url", "external_id", "expected"),
    [
        (
            "yandex_maps",
            "https://yandex.ru/maps/org/kofemaniya/1124715036/reviews/",
            "x",
            "https://yandex.ru/sprav/1124715036/p/edit/reviews/",
        ),
        (
            "otzovik",
            "https://otzovik.com/review_16301122.html",
            "16301122",
            "https://otzovik.com/review_16301122.html#comments",
        ),
        (
            "irecommend",
            "https://irecommend.ru/content/vkusnye-zavtraki-9",
            "7712345",
            "https://irecommend.ru/content/vkusnye-zavtraki-9",
        ),
        (
            "trustpilot",
            "https://www.trustpilot.com/reviews/65f2",
            "65f2",
            "https://businessapp.b2b.trustpilot.com/reviews/65f2",
        ),
        ("rss", "https://example.com/feed", None, None),
    ],
)
def test_reply_links(kind: str, url: str, external_id: str | None, expected: str | None) -> None:
    assert reply_link(kind, url, external_id) == expected
