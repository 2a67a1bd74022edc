"""Checks a reply must pass before the PR team sees it: length, language, no placeholders
left, no promises the house rules forbid, no figures or offers the review did not give."""

from __future__ import annotations

import re
from collections.abc import Iterable

from replies.language import detect_language
from replies.limits import reply_limit
from replies.records import Review, Voice

# Words whose stem shows an acknowledgement of the touchpoint, per language.
TOPIC_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "ru": {
        "staff": ("персонал", "сотрудни", "обслуживан"),
        "product": ("качеств", "продукт", "блюд", "товар"),
        "price": ("цен", "стоимост"),
        "delivery": ("доставк",),
        "waiting": ("ожидан", "ждать", "быстро"),
        "place": ("зал", "помещени", "обстановк", "чистот"),
        "digital": ("приложени", "сайт"),
        "support": ("поддержк",),
    },
    "en": {
        "staff": ("staff", "team", "service"),
        "product": ("quality", "product"),
        "price": ("price", "pricing"),
        "delivery": ("deliver",),
        "waiting": ("wait", "quick"),
        "place": ("place", "clean", "atmosphere"),
        "digital": ("app", "website"),
        "support": ("support",),
    },
}

_PLACEHOLDER = re.compile(r"\{\w*\}|\[[^\]\s]*(?:имя|name|бренд|brand)[^\]]*\]|<[a-zа-я_ ]+>", re.I)
_OFFERS = re.compile(
    r"скидк|промокод|компенс|бесплатн|подар|бонус|баллы|возврат\w* (?:денег|средств)|"
    r"верн[её]м (?:вам )?(?:деньги|средства)|сертификат|купон|"
    r"discount|refund|compensat|free of charge|for free|voucher|coupon|promo ?code|gift card|"
    r"\d+\s*%",
    re.I,
)
_REFUSALS = re.compile(
    r"^(?:i'?m sorry,? but i can(?:no|')t|i can(?:no|')t (?:help|assist|write)|as an ai|"
    r"извините, (?:но )?я не могу|я не могу (?:помочь|написать)|как (?:языковая )?модель)",
    re.I,
)
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?")
_CONTACT = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+|\+?\d[\d\s()-]{8,}\d")


def acknowledges(text: str, tag: str, language: str) -> bool:
    words = TOPIC_WORDS.get(language, {}).get(tag, ())
    folded = text.casefold()
    return any(word in folded for word in words)


def leftover_placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def problems(text: str, review: Review, voice: Voice, *, language: str) -> list[str]:
    """What is wrong with a reply to `review`, in words for the PR team; [] when it may go."""
    found: list[str] = []
    stripped = text.strip()
    limit = reply_limit(review.platform)
    if not stripped:
        return ["the answer is empty"]
    if _REFUSALS.search(stripped):
        return ["the model refused to write the reply"]
    if len(stripped) > limit:
        found.append(f"{len(stripped)} characters, the platform allows {limit}")
    if detect_language(stripped, default=language) != language:
        found.append(f"not in the review's language ({language})")
    if leftover_placeholders(stripped):
        found.append("placeholders left: " + ", ".join(leftover_placeholders(stripped)))
    stars = f"{review.rating:g}" if review.rating is not None else ""
    known = " ".join([review.text, stars, voice.brand, voice.signature or "", *voice.rules])
    if not voice.allow_offers:
        offer = _OFFERS.search(stripped)
        if offer and offer.group(0).casefold() not in known.casefold():
            found.append(f"promises an offer the house rules do not allow: «{offer.group(0)}»")
    figures = _new(_FIGURE.findall(stripped), _FIGURE.findall(known))
    if figures:
        found.append("figures the review does not give: " + ", ".join(figures))
    contacts = _new(_CONTACT.findall(stripped), _CONTACT.findall(known))
    if contacts:
        found.append("contacts not in the brand's settings: " + ", ".join(contacts))
    found.extend(_forbidden(stripped, voice.rules))
    return found


def _new(found: Iterable[str], known: Iterable[str]) -> list[str]:
    seen = set(known)
    return list(dict.fromkeys(item for item in found if item not in seen))


def _forbidden(text: str, rules: Iterable[str]) -> list[str]:
    """House rules written as «не писать X» / «never say X» forbid the phrase X outright."""
    out = []
    folded = text.casefold()
    for rule in rules:
        match = re.match(
            r"^\s*(?:не (?:писать|упоминать|говорить)|never (?:say|mention|write))\s+[«\"“']?(.+?)[»\"”']?\s*$",
            rule,
            re.I,
        )
        if match and match[1].casefold() in folded:
            out.append(f"breaks the house rule «{rule}»")
    return out
