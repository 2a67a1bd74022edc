"""Property tests: mutated pages give items or a SourceError subclass, never anything else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapers import registry
from scrapers.errors import SourceError
from scrapers.fetch import FetchResponse
from scrapers.records import SourceSpec
from tests.scrapers.conftest import page
from tests.scrapers.mutations import JSON_VALUES, json_paths

CASES = [
    ("rss", "rss/news_windows1251.rss", "application/rss+xml", "https://news.example.ru/rss"),
    (
        "rss",
        "rss/google_alerts.atom",
        "application/atom+xml",
        "https://www.google.com/alerts/feeds/1/2",
    ),
    (
        "appstore",
        "appstore/reviews_page1.json",
        "application/json",
        "https://apps.apple.com/ru/app/x/id1",
    ),
    (
        "google_play",
        "google_play/batchexecute_page1.txt",
        "application/json",
        "https://play.google.com/store/apps/details?id=ru.x",
    ),
    (
        "google_play",
        "google_play/batchexecute_page2_chunked.txt",
        "application/json",
        "https://play.google.com/store/apps/details?id=ru.x",
    ),
    ("telegram", "telegram/channel_page.html", "text/html", "https://t.me/s/coffee_review_msk"),
    (
        "reddit",
        "reddit/search_page1.json",
        "application/json",
        "https://www.reddit.com/search/?q=x",
    ),
    (
        "hackernews",
        "hackernews/search_by_date_page0.json",
        "application/json",
        "https://hn.algolia.com/?q=x",
    ),
]


def _check(kind: str, url: str, body: bytes, content_type: str) -> None:
    source = registry.create(SourceSpec(kind, url), None)  # type: ignore[arg-type]
    try:
        parsed = source.parse(FetchResponse(200, url, body, content_type))
    except SourceError:
        return
    for item in parsed.items:
        assert isinstance(item.text, str)
        assert item.published_at is None or item.published_at.tzinfo is not None
        assert item.rating is None or 1 <= item.rating <= 5


@st.composite
def byte_mutation(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        start = draw(st.integers(0, len(data) - 1))
        end = draw(st.integers(start, min(len(data), start + 200)))
        action = draw(st.sampled_from(["delete", "replace", "insert", "truncate"]))
        if action == "delete":
            del data[start:end]
        elif action == "replace":
            data[start:end] = draw(st.binary(max_size=40))
        elif action == "insert":
            data[start:start] = draw(st.binary(min_size=1, max_size=40))
        else:
            del data[start:]
    return bytes(data)


@st.composite
def json_mutation(draw: st.DrawFn, original: Any) -> Any:
    document = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in json_paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return document


@pytest.mark.parametrize(("kind", "name", "ctype", "url"), CASES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_bytes(kind: str, name: str, ctype: str, url: str, data: st.DataObject) -> None:
    folder, file = name.split("/")
    body = data.draw(byte_mutation(page(folder, file)))
    _check(kind, url, body, ctype)


@pytest.mark.parametrize(
    ("kind", "name", "url"),
    [(k, n, u) for k, n, c, u in CASES if n.endswith(".json")],
)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_json_structure(kind: str, name: str, url: str, data: st.DataObject) -> None:
    folder, file = name.split("/")
    document = data.draw(json_mutation(json.loads(page(folder, file))))
    _check(kind, url, json.dumps(document).encode(), "application/json")


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_mutated_google_play_payload(data: st.DataObject) -> None:
    raw = page("google_play", "batchexecute_page1.txt").decode()
    envelope = json.loads(raw[raw.index("[") :])
    inner = data.draw(json_mutation(json.loads(envelope[0][2])))
    envelope[0][2] = json.dumps(inner)
    body = (")]}'\n\n" + json.dumps(envelope)).encode()
    _check(
        "google_play",
        "https://play.google.com/store/apps/details?id=ru.x",
        body,
        "application/json",
    )
