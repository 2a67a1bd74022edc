from __future__ import annotations

import asyncio

import pytest

from sentiment import LABELS, TextInput, load_classifier
from sentiment.bundled import BundledClassifier
from sentiment.keywords import KeywordClassifier


def check_shape(results: list, count: int) -> None:
    assert len(results) == count
    for result in results:
        assert result.label in LABELS
        assert set(result.scores) == set(LABELS)
        assert abs(sum(result.scores.values()) - 1) < 1e-4
        assert result.score == pytest.approx(result.scores[result.label])


async def test_bundled_reads_obvious_texts(bundled: BundledClassifier) -> None:
    results = await bundled.classify(
        [
            TextInput("Ужасное обслуживание, больше никогда сюда не приду!"),
            TextInput("Всё очень понравилось, спасибо, рекомендую!"),
            TextInput("Terrible service, the worst place ever"),
            TextInput("Lovely staff and delicious food, thank you!"),
        ]
    )
    check_shape(results, 4)
    assert [r.label for r in results] == ["negative", "positive", "negative", "positive"]


async def test_empty_and_huge_texts_are_handled(bundled: BundledClassifier) -> None:
    huge = "Очень плохо и долго. " * 2500  # 52,500 characters
    batch = [TextInput(""), TextInput("   "), TextInput(huge), TextInput("😡😡😡")]
    for classifier in (bundled, KeywordClassifier()):
        results = await classifier.classify(batch)
        check_shape(results, 4)
        assert results[2].label == "negative"


async def test_classify_keeps_the_event_loop_free(bundled: BundledClassifier) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await bundled.classify([TextInput("Нормально, ничего особенного " * 20)] * 600)
    task.cancel()
    assert ticks > 1


async def test_brand_in_input_is_masked_not_judged(bundled: BundledClassifier) -> None:
    results = await bundled.classify(
        [TextInput("Сбербанк опять заблокировал карту, ужас", brand="sberbank")]
    )
    assert results[0].label == "negative"


async def test_bundled_tags_touchpoints(bundled: BundledClassifier) -> None:
    (result,) = await bundled.classify(
        [TextInput("Пицца вкусная, но доставка опоздала на час", rating=3)]
    )
    tags = {t.tag: t.polarity for t in result.touchpoints}
    assert tags["product"] == "positive"
    assert tags["delivery"] == "negative"


async def test_keywords_classifier() -> None:
    classifier = load_classifier("keywords", touchpoints={"Бренд": {"loyalty": ["кешбэк"]}})
    assert classifier.name == "keywords"
    results = await classifier.classify(
        [
            TextInput("Отличный сервис, спасибо!"),
            TextInput("Ужасно долго ждали, не рекомендую"),
            TextInput("The staff were rude and slow"),
            TextInput("Открылись в понедельник"),
            TextInput("Обычный отзыв", rating=1),
            TextInput("Кешбэк не пришёл, обман", brand="Бренд"),
        ]
    )
    check_shape(results, 6)
    assert [r.label for r in results] == [
        "positive",
        "negative",
        "negative",
        "neutral",
        "negative",
        "negative",
    ]
    assert ("loyalty", "negative") in [(t.tag, t.polarity) for t in results[5].touchpoints]


def test_default_is_the_linear_model_without_fallback() -> None:
    classifier = load_classifier()
    assert (classifier.name, classifier.fallback_reason) == ("linear", None)
    assert load_classifier("bundled").name == load_classifier("linear").name == "linear"


def test_unloadable_model_falls_back_with_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    classifier = load_classifier(str(tmp_path / "no-such-model"))
    assert classifier.name == "linear"
    assert classifier.fallback_reason
