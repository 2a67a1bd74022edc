"""A small Russian + English sentiment lexicon matched on word stems, with negation.

Used by the keyword classifier (fast, last resort) and to give each touchpoint its own
polarity from the clause it sits in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

_RU = snowballstemmer.stemmer("russian")
_EN = snowballstemmer.stemmer("english")
_CYRILLIC = re.compile(r"[а-я]")
TOKEN = re.compile(r"[^\W\d_]+", re.U)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    stemmer = _RU if _CYRILLIC.search(word) else _EN
    return str(stemmer.stemWord(word))


def stems(text: str) -> list[str]:
    return [stem(w) for w in TOKEN.findall(text)]


POSITIVE_WORDS = """
хороший хорошо отличный отлично прекрасный прекрасно замечательный замечательно супер классный
класс круто крутой лучший лучше люблю нравится понравилось понравился рекомендую советую спасибо
благодарю благодарность вкусно вкусный вежливый вежливо приятный приятно уютный уютно чисто
чистый быстро быстрый удобно удобный доволен довольна довольны восторг восхитительный шикарный
идеальный идеально внимательный профессиональный молодцы молодец великолепный радует свежий
дешево недорого выгодно приветливый доброжелательный обожаю любимый качественный
good great excellent amazing awesome love loved like liked best perfect nice friendly delicious
tasty recommend thanks thank wonderful fantastic fast clean polite helpful pleasant happy fresh
cheap cozy comfortable glad enjoy enjoyed superb
""".split()

NEGATIVE_WORDS = """
плохой плохо ужасный ужасно отвратительный отвратительно кошмар худший хуже хамство хамил хамит
нахамил нахамила хам грубый грубо грубость невкусно невкусный грязно грязный грязь долго медленно
дорого дорогой обман обманули обсчитали развод разочарован разочарована разочарование недоволен
недовольна жалоба жаловаться претензия никогда отстой ужас проблема проблемы сломался сломалось
испорчен испорченный тухлый холодный опоздал опоздала опоздание задержка ошибка отказали
игнорируют бесит бесят раздражает противно невозможно нельзя верните возврат мошенники
позор безобразие невежливый неприятно шумно тесно воняет запах очередь ждали ждать
bad terrible awful horrible worst worse rude dirty slow expensive disappointed disappointing
never hate hated problem broken cold late scam refund poor wait waited waiting noisy smell
disgusting complaint bland overpriced mediocre unfriendly
""".split()

NEGATIONS = {"не", "нет", "ни", "без", "not", "no", "never", "dont", "don't", "isn't", "wasn't"}

INTENSIFIERS = {"очень", "слишком", "совсем", "особо", "так", "very", "so", "too", "really", "that"}

_POS = {stem(w) for w in POSITIVE_WORDS}
_NEG = {stem(w) for w in NEGATIVE_WORDS}
_NEG_STEMS = {stem(w) for w in NEGATIONS}
_INTENSIFIER_STEMS = {stem(w) for w in INTENSIFIERS}


def _negated(tokens: Sequence[str], i: int) -> bool:
    """A negation right before the cue, or before an intensifier that is ("не очень вкусно")."""
    if i >= 1 and tokens[i - 1] in _NEG_STEMS:
        return True
    return i >= 2 and tokens[i - 1] in _INTENSIFIER_STEMS and tokens[i - 2] in _NEG_STEMS


def polarity_score(text: str) -> float:
    """Positive minus negative cue count; a negation before a cue flips it."""
    return stems_polarity(stems(text))


def stems_polarity(tokens: Sequence[str]) -> float:
    """`polarity_score` of a text already cut into `stems`."""
    score = 0.0
    for i, token in enumerate(tokens):
        sign = 1.0 if token in _POS else -1.0 if token in _NEG else 0.0
        if sign and _negated(tokens, i):
            sign = -sign
        score += sign
    return score
