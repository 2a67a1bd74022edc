"""Which training rows the encoder head learns from: a bounded, stratified, seeded sample of the
shared training files (the encoder reads about ten reviews a second per core, so the whole
62,000 rows would take hours), and the held-out part that choices are made on.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from common.vocabulary import Label
from sentiment.train import Example, read_jsonl

SEED = 19
HELD_OUT_EVERY = 5  # one row in five
# Rows per label taken from each file (all of them where it has fewer). Reviews get the most:
# they are what Otklik reads; tweets and news teach brand-level and mixed-topic text.
SAMPLE_PLAN: dict[str, dict[str, int]] = {
    "myfin_bank_reviews_train.jsonl": {
        Label.NEGATIVE: 250,
        Label.NEUTRAL: 100,
        Label.POSITIVE: 250,
    },
    "itsecd_lab_reviews_train.jsonl": {
        Label.NEGATIVE: 100,
        Label.NEUTRAL: 100,
        Label.POSITIVE: 100,
    },
    "romip2012_news_quotes_train.jsonl": {
        Label.NEGATIVE: 90,
        Label.NEUTRAL: 90,
        Label.POSITIVE: 90,
    },
    "rusentne2023_news_entities_train.jsonl": {
        Label.NEGATIVE: 80,
        Label.NEUTRAL: 100,
        Label.POSITIVE: 80,
    },
    "rutweetcorp_sample_train.jsonl": {Label.NEGATIVE: 100, Label.POSITIVE: 100},
    "rusentitweet_train.jsonl": {Label.NEGATIVE: 200, Label.NEUTRAL: 220, Label.POSITIVE: 200},
    "sentirueval2015_banks_train.jsonl": {
        Label.NEGATIVE: 200,
        Label.NEUTRAL: 250,
        Label.POSITIVE: 200,
    },
    "sentirueval2015_telecoms_train.jsonl": {
        Label.NEGATIVE: 200,
        Label.NEUTRAL: 220,
        Label.POSITIVE: 200,
    },
    "sentirueval2015_restaurant_reviews_train.jsonl": {
        "negative": 30,
        "neutral": 12,
        "positive": 40,
    },
    "sentirueval2015_car_reviews_train.jsonl": {
        Label.NEGATIVE: 30,
        Label.NEUTRAL: 12,
        Label.POSITIVE: 40,
    },
    "tweeteval_val_en.jsonl": {Label.NEGATIVE: 150, Label.NEUTRAL: 150, Label.POSITIVE: 150},
    "uci_amazon_en.jsonl": {Label.NEGATIVE: 100, Label.POSITIVE: 100},
    "uci_yelp_en.jsonl": {Label.NEGATIVE: 100, Label.POSITIVE: 100},
}
# RuTweetCorp's labels were made from the emoticons its tweets still hold: without removing them
# a model learns to read brackets, which a review seldom has.
_EMOTICON = re.compile(r"[:;=xX8]['`^-]*[()DPpРр]+|[()]{2,}|(?<=\S)[()](?=\s|$)")
_STRIP_EMOTICONS = {"rutweetcorp_sample_train.jsonl"}


@dataclass(frozen=True, slots=True)
class Sampled:
    example: Example
    source: str  # file name
    held_out: bool


def sample(data_dir: Path, plan: dict[str, dict[str, int]] = SAMPLE_PLAN) -> list[Sampled]:
    """The seeded sample, each file's rows split by label, capped, one row in five held out."""
    rows: list[Sampled] = []
    for name, caps in plan.items():
        path = data_dir / name
        if not path.is_file():
            continue
        by_label: dict[str, list[Example]] = defaultdict(list)
        for example in read_jsonl(path):
            if name in _STRIP_EMOTICONS:
                example = replace(example, text=_EMOTICON.sub(" ", example.text))
            by_label[example.label].append(example)
        for label in sorted(by_label):
            pool = by_label[label]
            # A shuffle and a prefix: a larger cap keeps every row a smaller one took.
            random.Random(f"{SEED}:{name}:{label}").shuffle(pool)
            rows.extend(Sampled(e, name, held_out(e.text)) for e in pool[: caps.get(label, 0)])
    return rows


def natural_weights(rows: Sequence[Sampled], data_dir: Path) -> list[float]:
    """Per row, how far the sample's even label mix undoes its file's own: each file's share of
    a label over that label's share of the file's sampled rows. The sample takes labels evenly
    so that rare ones are learnt, but brand tweets and news are mostly neutral and bank reviews
    mostly complaints; weighted this way, the head, the stacker and the operating point learn
    each kind of text with the label mix it really has."""
    natural: dict[str, dict[str, float]] = {}
    for name in {r.source for r in rows}:
        counts = Counter(example.label for example in read_jsonl(data_dir / name))
        natural[name] = {label: n / sum(counts.values()) for label, n in counts.items()}
    sampled: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        sampled[row.source][row.example.label] += 1
    return [
        natural[r.source][r.example.label]
        * sum(sampled[r.source].values())
        / sampled[r.source][r.example.label]
        for r in rows
    ]


def held_out(text: str) -> bool:
    """Whether a row is held out: by its text, so a row keeps its side whatever the caps, and
    a tweet repeated for two brands never sits on both sides."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % HELD_OUT_EVERY == 0
