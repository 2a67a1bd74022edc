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

if TYPE_CHECKING:
    from sentiment.train import Example

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / ".." / "shared" / "sentiment"
LABELS = ("positive", "neutral", "negative")


def test_files() -> list[Path]:
    files = sorted(DATA.glob("*_test*.jsonl")) + sorted((DATA / "test-only").glob("*.jsonl"))
    return [f for f in files if f.is_file()]


def metrics(gold: list[str], pred: list[str]) -> dict[str, float]:
    def f1(label: str) -> float:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        predicted = sum(p == label for p in pred)
        actual = sum(g == label for g in gold)
        if not tp:
            return 0.0
        precision, recall = tp / predicted, tp / actual
        return 2 * precision * recall / (precision + recall)

    present = [k for k in LABELS if k in gold]
    return {
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold),
        "macro_f1": sum(f1(k) for k in present) / len(present),
        "f1_positive": f1("positive"),
        "f1_negative": f1("negative"),
    }


def bundled_predict(rows: list[Example]) -> list[str]:
    from sentiment.bundled import BundledClassifier
    from sentiment.records import TextInput

    classifier = BundledClassifier()
    inputs = [TextInput(r.text, None, r.brand) for r in rows]
    probs = classifier.text_scores(inputs)
    return [max(p, key=p.__getitem__) for p in probs]


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
    classifier = load_classifier("bundled")
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


def _speed_worker(texts: list[str], queue: mp.Queue) -> None:
    started = time.perf_counter()
    from sentiment.bundled import BundledClassifier
    from sentiment.records import TextInput

    classifier = BundledClassifier()
    load_s = time.perf_counter() - started
    inputs = [TextInput(t) for t in texts]
    started = time.perf_counter()
    asyncio.run(classifier.classify(inputs))
    elapsed = time.perf_counter() - started
    queue.put((load_s, elapsed, _peak_mb()))


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


def speed(texts: list[str], workers: int) -> dict[str, float]:
    """Texts per second with `workers` processes (one core each), each on its share."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    shares = [texts[i::workers] for i in range(workers)]
    procs = [ctx.Process(target=_speed_worker, args=(share, queue)) for share in shares]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    slowest = max(r[1] for r in results)
    return {
        "texts_per_s": len(texts) / slowest,
        "load_s": max(r[0] for r in results),
        "peak_mb": max(r[2] for r in results),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip training the baseline")
    parser.add_argument("--speed-texts", type=int, default=6000)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from sentiment.train import read_jsonl  # numpy after the thread limits

    figures: dict[str, object] = {}
    files = test_files()
    if not files:
        print(f"no test files under {DATA}: quality not measured")
    baseline = None
    if files and not args.no_baseline:
        started = time.perf_counter()
        baseline = Baseline()
        print(f"baseline trained in {time.perf_counter() - started:.0f} s")
    quality: dict[str, dict[str, dict[str, float]]] = {}
    speed_texts: list[str] = []
    header = (
        f"{'test file':44} {'n':>6} {'model':9} {'acc':>6} {'macroF1':>8} {'F1+':>6} {'F1-':>6}"
    )
    print(header)
    for path in files:
        rows = read_jsonl(path)
        if not rows:
            continue
        speed_texts.extend(r.text for r in rows)
        name = str(path.relative_to(DATA).with_suffix(""))
        gold = [r.label for r in rows]
        quality[name] = {"bundled": metrics(gold, bundled_predict(rows))}
        if baseline is not None:
            quality[name]["baseline"] = metrics(gold, baseline.predict(rows))
        for model, m in quality[name].items():
            print(
                f"{name:44} {len(rows):6} {model:9} {m['accuracy']:6.3f} {m['macro_f1']:8.3f} "
                f"{m['f1_positive']:6.3f} {m['f1_negative']:6.3f}"
            )
    figures["quality"] = {
        f: {m: {k: round(v, 4) for k, v in s.items()} for m, s in by.items()}
        for f, by in quality.items()
    }
    figures["touchpoints"] = touchpoints_section()

    if not speed_texts:
        speed_texts = ["Очень вкусно, но официант нахамил, ждали сорок минут."] * 1000
    texts = (speed_texts * (args.speed_texts // len(speed_texts) + 1))[: args.speed_texts]
    mean_chars = sum(map(len, texts)) / len(texts)
    for cores in (1, 2):
        result = speed(texts, cores)
        figures[f"cores_{cores}"] = {k: round(v, 3) for k, v in result.items()}
        print(
            f"{cores} core(s): {result['texts_per_s']:.0f} texts/s "
            f"(mean {mean_chars:.0f} chars), model load {result['load_s']:.2f} s, "
            f"peak memory {result['peak_mb']:.0f} MB per process"
        )
    model_dir = ROOT / "sentiment" / "model"
    size = sum(f.stat().st_size for f in model_dir.iterdir())
    figures["model_bytes"] = size
    print(f"model size: {size / 1e6:.2f} MB")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
