"""Text normalisation shared by training and inference, so both see the very same tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# Texts past this length are cut: a review's tone is set long before 5,000 characters and a
# 50,000-character paste must not stall the batch.
MAX_CHARS = 5000

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:ru|com|рф|net|org|io)/\S*", re.I)
_MENTION = re.compile(r"@\w+")
_REPEAT_LETTER = re.compile(r"(\w)\1{2,}")
_REPEAT_PUNCT = re.compile(r"([!?.])\1+")
_WORD = re.compile(r"[^\W\d_]+|\d+|[!?]+|\)+|\(+|[^\w\s]")
_SMILE = re.compile(
    "[\U0001f600-\U0001f60d\U0001f618\U0001f60a\u263a\U0001f642\U0001f917\U0001f607\U0001f970"
    "\u2764\U0001f495\U0001f496\U0001f497\U0001f493\U0001f49e\U0001f44d\U0001f44f\U0001f525"
    "\u2728\U0001f389\U0001f4aa\U0001f63b]|[:;=]-?[)D]|\\){2,}"
)
_SAD = re.compile(
    "[\U0001f612\U0001f61e\U0001f61f\U0001f620\U0001f621\U0001f622\U0001f623\U0001f624\U0001f625"
    "\U0001f629\U0001f62b\U0001f62d\U0001f92c\U0001f44e\U0001f494\U0001f641\u2639\U0001f630"
    "\U0001f631]|[:;=]-?\\(|\\({2,}"
)

# Tokens the masking puts in place of the monitored brand and of other known brands: the label
# is the author's attitude to *this* brand, and brand names themselves carry no sentiment.
BRAND_TOKEN = "xbrand"
OTHER_BRAND_TOKEN = "xother"

# Spellings of the brands in the brand-level training tweets (SentiRuEval banks and telecoms);
# they are also common Russian brands an owner may monitor.
KNOWN_BRANDS: dict[str, tuple[str, ...]] = {
    "sberbank": ("сбербанк", "сбер", "sberbank", "sber", "сбербанк россии"),
    "vtb": ("втб", "vtb", "втб24", "втб 24"),
    "rshb": ("россельхозбанк", "рсхб", "rshb", "россельхоз"),
    "bankmoskvy": ("банк москвы", "bankmoskvy"),
    "alfabank": ("альфа-банк", "альфабанк", "альфа банк", "alfabank", "alfa-bank", "альфа"),
    "gazprom": ("газпромбанк", "газпром", "gazprombank", "gazprom"),
    "raiffeisen": ("райффайзенбанк", "райффайзен", "райфайзен", "raiffeisen", "райф"),
    "uralsib": ("уралсиб", "uralsib"),
    "mts": ("мтс", "mts", "мобильные телесистемы"),
    "megafon": ("мегафон", "megafon"),
    "beeline": ("билайн", "beeline", "вымпелком", "пчелайн"),
    "rostelecom": ("ростелеком", "rostelecom"),
    "tele2": ("теле2", "tele2", "теле 2", "tele 2"),
    "skylink": ("скайлинк", "skylink"),
    "komstar": ("комстар", "komstar"),
}


def _alias_pattern(names: set[str]) -> re.Pattern[str]:
    ordered = sorted(names, key=len, reverse=True)

    def part(name: str) -> str:
        escaped = re.escape(name).replace(r"\ ", r"[\s_-]?").replace(r"\-", r"[\s_-]?")
        # Trailing letters swallow case endings (сбербанка, мтсом) and, for longer names,
        # derived adjectives (сбербанковской, мегафоновский).
        return escaped + (r"\w{0,8}" if len(name) >= 5 else r"\w{0,3}")

    plain = "|".join(part(n) for n in ordered)
    # A user name or hashtag that contains the brand (@Beeline_RUS, @ru_mts, #сбер) is it too.
    handle = "|".join(re.escape(n) for n in ordered if " " not in n and len(n) >= 3)
    return re.compile(rf"[@#]\w*(?:{handle})\w*|(?<!\w)(?:{plain})(?!\w)", re.I)


_ALL_KNOWN = _alias_pattern({a for names in KNOWN_BRANDS.values() for a in names})


@lru_cache(maxsize=256)
def _brand_pattern(brand: str) -> re.Pattern[str] | None:
    key = brand.strip().lower().replace("ё", "е")
    if not key:
        return None
    names = set(KNOWN_BRANDS.get(key, ()))
    names.add(key)
    for known, aliases in KNOWN_BRANDS.items():
        if key in aliases:
            names.update(aliases)
            names.add(known)
    return _alias_pattern(names)


def normalize(text: str, brand: str | None = None) -> str:
    """Lower-case, cut, and replace what carries no sentiment by itself (links, user names,
    brand names) with placeholder tokens; emoticons become smile/sad tokens."""
    t = text[:MAX_CHARS].lower().replace("ё", "е")
    t = _URL.sub(" xurl ", t)
    if brand:
        pattern = _brand_pattern(brand)
        if pattern is not None:
            t = pattern.sub(f" {BRAND_TOKEN} ", t)
        t = _ALL_KNOWN.sub(f" {OTHER_BRAND_TOKEN} ", t)
    t = _MENTION.sub(" xuser ", t)
    t = _SMILE.sub(" xsmile ", t)
    t = _SAD.sub(" xsad ", t)
    t = _REPEAT_LETTER.sub(r"\1\1", t)
    return _REPEAT_PUNCT.sub(r"\1\1", t)


def words(normalized: str) -> list[str]:
    """Word, number, emoticon-bracket and punctuation tokens of a normalised text."""
    return _WORD.findall(normalized)


def branded_flags(texts: Sequence[str], brands: Sequence[str | None]) -> np.ndarray:
    """1.0 where a text names its monitored brand (the label is then the attitude to it)."""
    return np.array(
        [BRAND_TOKEN in words(normalize(t, b)) for t, b in zip(texts, brands, strict=True)],
        dtype=np.float32,
    )
