"""Brand-alias matching for mention sources (feeds, Telegram, Reddit, Hacker News).

An alias matches whole words only, ignoring case and "ё"/"е", and a Russian word may carry any
case or number ending: "Кофемания" matches "Кофеманию", "Кофемании", "Кофеманиях", but not
"суперкофемания" nor "кофеманы" (a different word sharing the stem). Multi-word aliases match
the same words in a row, whatever punctuation separates them ("Додо Пицца" ~ "Додо-Пиццы").
Latin words match exactly or with an English possessive ("Acme's").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scrapers.sanitise import visible

_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
_STRIPPABLE = "аяоеиыуюйь"
# Endings of Russian nouns and adjectives in every case and number.
_ENDINGS = frozenset(
    """
    а я о е и ы у ю ь й
    ом ем ой ей ою ею ам ям ах ях ов ев ий ый ая яя ое ее ые ие ую юю ым им ых их
    ами ями ого его ому ему ией иям иях
    """.split()
) | {""}
# Fleeting vowel: "Перекрёсток" → "Перекрёстка", "Огонёк" → "Огонька".
_FLEETING = (("ок", "к"), ("ек", "к"), ("ец", "ц"))


def _normalise(text: str) -> str:
    # "Acme's" → "Acme ": the possessive is not part of the word, in aliases and texts alike.
    # Invisible characters (a soft hyphen inside a word) would split it in two.
    return visible(text).lower().replace("ё", "е").replace("'s", " ").replace("\u2019s", " ")


def _word_forms(word: str) -> tuple[str, ...]:
    """Bases a text word must start with to be this alias word (plus an ending)."""
    if len(word) <= 3 or not _CYRILLIC.search(word):
        return ()
    bases = [word[:-1] if word[-1] in _STRIPPABLE else word]
    for tail, replacement in _FLEETING:
        if word.endswith(tail) and len(word) > 4:
            bases.append(word[: -len(tail)] + replacement)
    return tuple(bases)


class _AliasWord:
    __slots__ = ("exact", "bases")

    def __init__(self, word: str) -> None:
        self.exact = word
        self.bases = _word_forms(word)

    def matches(self, token: str) -> bool:
        if token == self.exact:
            return True
        if not self.bases:
            return False
        return any(token.startswith(base) and token[len(base) :] in _ENDINGS for base in self.bases)


class AliasMatcher:
    """Find which of a brand's aliases a text mentions."""

    def __init__(self, aliases: Iterable[str]) -> None:
        self.aliases: list[tuple[str, list[_AliasWord]]] = []
        for alias in aliases:
            words = _WORD.findall(_normalise(alias))
            if words:
                self.aliases.append((alias, [_AliasWord(w) for w in words]))

    def __bool__(self) -> bool:
        return bool(self.aliases)

    def find(self, text: str | None) -> str | None:
        """The first alias mentioned in the text, or None."""
        if not text or not self.aliases:
            return None
        normalised = _normalise(text)
        tokens: list[str] | None = None
        for alias, words in self.aliases:
            # Cheap substring test first: most texts mention no alias at all.
            first = words[0]
            if not any(base in normalised for base in (first.exact, *first.bases)):
                continue
            if tokens is None:
                tokens = _WORD.findall(normalised)
            span = len(words)
            for start in range(len(tokens) - span + 1):
                if all(words[i].matches(tokens[start + i]) for i in range(span)):
                    return alias
        return None

    def matches(self, *texts: str | None) -> bool:
        return any(self.find(text) for text in texts)


def mentions(text: str, aliases: Iterable[str]) -> bool:
    """Whether the text mentions any of the aliases (see the module docstring for the rules)."""
    return AliasMatcher(aliases).find(text) is not None
