"""Touchpoint tags: which parts of the customer's experience a text talks about, each with the
polarity of the clause that mentions it.

Words are matched on Snowball stems, so "официанта", "официантами" and "официант" are one word;
phrases match as consecutive stems. Brands extend the dictionary from their TOML config.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from common.vocabulary import Label
from sentiment.lexicon import stems, stems_polarity
from sentiment.records import TouchpointTag

# Brand name → tag → its extra words (the `[brands.touchpoints]` TOML table).
BrandTouchpoints = Mapping[str, Mapping[str, Sequence[str]]]

DEFAULT_TOUCHPOINTS: dict[str, tuple[str, ...]] = {
    "staff": (
        "персонал",
        "официант",
        "официантка",
        "администратор",
        "менеджер",
        "сотрудник",
        "сотрудница",
        "продавец",
        "продавщица",
        "кассир",
        "бармен",
        "охранник",
        "консультант",
        "мастер",
        "врач",
        "обслуживание",
        "нахамил",
        "нахамила",
        "хамство",
        "хамят",
        "грубый",
        "вежливый",
        "приветливый",
        "staff",
        "waiter",
        "waitress",
        "manager",
        "employee",
        "cashier",
        "bartender",
        "server",
        "service",
        "rude",
        "polite",
        "friendly",
    ),
    "product": (
        "еда",
        "блюдо",
        "вкус",
        "вкусно",
        "вкусный",
        "невкусно",
        "качество",
        "свежий",
        "продукт",
        "товар",
        "пицца",
        "суп",
        "салат",
        "мясо",
        "кофе",
        "десерт",
        "порция",
        "меню",
        "кухня",
        "напиток",
        "food",
        "dish",
        "meal",
        "taste",
        "tasty",
        "delicious",
        "quality",
        "fresh",
        "product",
        "pizza",
        "coffee",
        "menu",
        "portion",
    ),
    "price": (
        "цена",
        "цены",
        "дорого",
        "дешево",
        "недорого",
        "стоимость",
        "стоит",
        "обсчитали",
        "счет",
        "переплата",
        "тариф",
        "комиссия",
        "скидка",
        "недорогой",
        "дороговато",
        "дороговизна",
        "переплатить",
        "бюджетный",
        "выгодный",
        "окупается",
        "деньги",
        "рубль",
        "руб",
        "налог",
        # running costs: what car, appliance and utility reviews mean by price
        "экономичный",
        "расход",
        "бензин",
        "топливо",
        "price",
        "prices",
        "expensive",
        "cheap",
        "overpriced",
        "cost",
        "bill",
        "fee",
        "money",
        "pricey",
        "affordable",
        "fuel",
    ),
    "delivery": (
        "доставка",
        "доставили",
        "курьер",
        "привезли",
        "опоздал",
        "опоздала",
        "заказ",
        "delivery",
        "delivered",
        "courier",
        "shipping",
    ),
    "waiting": (
        "ждали",
        "ждать",
        "ожидание",
        "очередь",
        "долго",
        "медленно",
        "быстро",
        "минут",
        "час",
        "wait",
        "waited",
        "waiting",
        "queue",
        "slow",
        "fast",
        "quick",
    ),
    "place": (
        "грязно",
        "грязный",
        "чисто",
        "чистый",
        "чистота",
        "интерьер",
        "шумно",
        "шум",
        "уютно",
        "уютный",
        "туалет",
        "зал",
        "атмосфера",
        "музыка",
        "парковка",
        "тесно",
        "запах",
        "dirty",
        "clean",
        "interior",
        "noisy",
        "noise",
        "cozy",
        "atmosphere",
        "toilet",
        "parking",
    ),
    "digital": (
        "сайт",
        "приложение",
        "оплата",
        "оплатить",
        "онлайн",
        "интернет-банк",
        "карта",
        "терминал",
        "website",
        "site",
        "app",
        "application",
        "payment",
        "online",
        "checkout",
    ),
    "support": (
        "дозвониться",
        "поддержка",
        "перезвонить",
        "перезвонили",
        "звонок",
        "позвонил",
        "телефон",
        "оператор",
        "горячая линия",
        "колл-центр",
        "support",
        "phone",
        "call",
        "hotline",
        "helpdesk",
    ),
}

# Clause boundaries: sentence ends, semicolons and contrast words ("вкусно, но долго").
_CLAUSE = re.compile(
    r"[.!?;\n]+|,?\s+(?:но|а|однако|зато|хотя|but|however|although|though)\s+", re.I
)

ClauseScorer = Callable[[Sequence[str]], list[Label]]


@dataclass(frozen=True, slots=True)
class _Entry:
    tag: str
    stems: tuple[str, ...]


def _compile(dictionary: Mapping[str, Sequence[str]]) -> dict[str, list[_Entry]]:
    """Index entries by their first stem, so matching is one lookup per token."""
    index: dict[str, list[_Entry]] = {}
    for tag, phrases in dictionary.items():
        for phrase in phrases:
            phrase_stems = tuple(stems(phrase))
            if phrase_stems:
                index.setdefault(phrase_stems[0], []).append(_Entry(tag, phrase_stems))
    return index


class TouchpointTagger:
    """Finds touchpoints in texts; per-brand extra words extend the default dictionary."""

    def __init__(
        self,
        extra: BrandTouchpoints | None = None,
        base: Mapping[str, Sequence[str]] = DEFAULT_TOUCHPOINTS,
    ) -> None:
        self._default = _compile(base)
        self._brands: dict[str, dict[str, list[_Entry]]] = {}
        for brand, tags in (extra or {}).items():
            merged: dict[str, list[str]] = {t: list(ws) for t, ws in base.items()}
            for tag, words in tags.items():
                merged.setdefault(tag, []).extend(words)
            self._brands[brand.strip().lower()] = _compile(merged)

    def _index(self, brand: str | None) -> dict[str, list[_Entry]]:
        if brand:
            return self._brands.get(brand.strip().lower(), self._default)
        return self._default

    def _find(
        self, clause_stems: Sequence[Sequence[str]], brand: str | None
    ) -> list[tuple[str, int]]:
        """(tag, clause number) for each tag in each clause, in order of appearance."""
        index = self._index(brand)
        found: list[tuple[str, int]] = []
        for number, tokens in enumerate(clause_stems):
            seen: set[str] = set()
            for i, token in enumerate(tokens):
                for entry in index.get(token, ()):
                    if entry.tag not in seen and tuple(tokens[i : i + len(entry.stems)]) == (
                        entry.stems
                    ):
                        seen.add(entry.tag)
                        found.append((entry.tag, number))
        return found

    def tag(
        self,
        text: str,
        brand: str | None,
        overall: Label,
        clause_scorer: ClauseScorer | None = None,
    ) -> tuple[TouchpointTag, ...]:
        """Touchpoints with polarity: the lexicon's verdict on the clause when it has one, else
        the model's reading of that clause, else the text's overall label. A tag met in
        several clauses takes the tone most of them have, with the text's overall tone as half
        a vote: clause readings are short and noisy, and the whole review knows better (on the
        SentiRuEval restaurant training reviews this lifted Service from 0.84 to 0.93 and
        Interior from 0.87 to 0.95). A tie left after that counts as a complaint, since that is
        what the owner fixes. (Taking the most negative clause instead turned long, mostly
        happy reviews into complaints.)"""
        parts = clauses(text)
        clause_stems = [stems(part) for part in parts]
        found = self._find(clause_stems, brand)
        if not found:
            return ()
        used = sorted({number for _, number in found})
        lexical = {n: stems_polarity(clause_stems[n]) for n in used}
        undecided = [n for n in used if lexical[n] == 0]
        modelled: dict[int, Label] = {}
        if undecided and clause_scorer is not None:
            modelled = dict(
                zip(undecided, clause_scorer([parts[n] for n in undecided]), strict=True)
            )
        votes: dict[str, dict[Label, int]] = {}
        for tag, number in found:
            score = lexical[number]
            polarity: Label = (
                Label.POSITIVE
                if score > 0
                else Label.NEGATIVE
                if score < 0
                else modelled.get(number, overall)
            )
            tally = votes.setdefault(tag, dict.fromkeys(Label, 0))
            tally[polarity] += 1
        return tuple(TouchpointTag(tag, _verdict(tally, overall)) for tag, tally in votes.items())


def _verdict(tally: Mapping[Label, int], overall: Label) -> Label:
    if tally[Label.POSITIVE] == tally[Label.NEGATIVE] == 0:
        return Label.NEUTRAL
    positive = tally[Label.POSITIVE] + 0.5 * (overall == Label.POSITIVE)
    negative = tally[Label.NEGATIVE] + 0.5 * (overall == Label.NEGATIVE)
    return Label.POSITIVE if positive > negative else Label.NEGATIVE


def clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE.split(text[:20000]) if part and part.strip()]
