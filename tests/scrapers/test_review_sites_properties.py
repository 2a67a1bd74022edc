"""Mutated review pages and API answers give items or a SourceError subclass, nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapers.errors import SourceError
from scrapers.sources._google_parse import parse_business_reviews, parse_places
from scrapers.sources._html_reviews import parse_irecommend, parse_otzovik, parse_zoon
from scrapers.sources._trustpilot_parse import parse_page as parse_trustpilot
from scrapers.sources._twogis_api import parse_reviews_answer
from scrapers.sources._yandex_parse import parse_html as parse_yandex_html
from scrapers.sources._yandex_parse import parse_json as parse_yandex_json
from tests.scrapers.conftest import page
from tests.scrapers.mutations import JSON_VALUES, json_paths

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HTML_PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "otzovik": (
        lambda t: parse_otzovik(t, url="https://otzovik.com/reviews/x/"),
        "otzovik/reviews_page1.html",
    ),
    "irecommend": (
        lambda t: parse_irecommend(t, url="https://irecommend.ru/content/x"),
        "irecommend/content_page0.html",
    ),
    "zoon": (lambda t: parse_zoon(t, url="https://zoon.ru/msk/x/"), "zoon/org_page.html"),
    "yandex": (lambda t: parse_yandex_html(t, url="u", link="l"), "yandex_maps/org_reviews.html"),
    "trustpilot": (
        lambda t: parse_trustpilot(t, url="https://www.trustpilot.com/review/x"),
        "trustpilot/review_page1.html",
    ),
}
JSON_PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "twogis": (
        lambda t: parse_reviews_answer(t, url="u", source="twogis", link="l"),
        "twogis/branch_reviews_page1.json",
    ),
    "yandex": (
        lambda t: parse_yandex_json(t, url="u", link="l"),
        "yandex_maps/fetch_reviews_page1.json",
    ),
    "places": (lambda t: parse_places(t, url="u"), "google_maps/place_details_new.json"),
    "legacy": (lambda t: parse_places(t, url="u"), "google_maps/place_details_legacy.json"),
    "business": (
        lambda t: parse_business_reviews(t, url="u"),
        "google_business/reviews_page1.json",
    ),
}


def _text(name: str) -> str:
    kind, file = name.split("/")
    return page(kind, file).decode("cp1251" if kind == "otzovik" else "utf-8")


def _items_or_source_error(parse: Callable[[str], Any], text: str) -> None:
    try:
        result = parse(text)
    except SourceError:
        return
    for item in result.items:
        assert item.rating is None or 1 <= item.rating <= 5
        assert item.published_at is None or item.published_at.tzinfo is not None


@FAST
@given(
    which=st.sampled_from(sorted(HTML_PARSERS)),
    cut=st.floats(0, 1),
    start=st.floats(0, 1),
    junk=st.text(max_size=40),
)
def test_mutated_html_pages(which: str, cut: float, start: float, junk: str) -> None:
    parse, name = HTML_PARSERS[which]
    text = _text(name)
    a = int(len(text) * min(cut, start))
    b = int(len(text) * max(cut, start))
    _items_or_source_error(parse, text[:a] + junk + text[b:])


@FAST
@given(which=st.sampled_from(sorted(JSON_PARSERS)), pick=st.integers(0, 10**6), value=JSON_VALUES)
def test_mutated_json_answers(which: str, pick: int, value: Any) -> None:
    parse, name = JSON_PARSERS[which]
    data = json.loads(_text(name))
    paths = json_paths(data)
    path = paths[pick % len(paths)]
    if not path:
        data = value
    else:
        holder = data
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = value
    _items_or_source_error(parse, json.dumps(data))


@FAST
@given(raw=st.text(max_size=200))
def test_arbitrary_text_to_every_parser(raw: str) -> None:
    for parse, _ in [*HTML_PARSERS.values(), *JSON_PARSERS.values()]:
        _items_or_source_error(parse, raw)
