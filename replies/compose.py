"""Template drafts: greeting, opening matched to the tone, one acknowledgement per touchpoint
the review criticises or praises, the next step and a signature.

Each slot has several variants; a seeded choice gives a text whose fingerprint the brand has
not used today. Where the platform allows only a short reply the acknowledgements merge into
one sentence and the shortest variants are taken.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Mapping

from replies.language import detect_language
from replies.library import Variants, shipped, variants
from replies.limits import reply_limit
from replies.records import Draft, DraftOrigin, DraftRequest, Fallback, Review, Tone, Voice

ATTEMPTS = 200
TOO_LONG_TRIES = 20
_NAME = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)?$")
_NOT_NAMES = frozenset(
    {
        "аноним",
        "анонимно",
        "пользователь",
        "гость",
        "клиент",
        "anonymous",
        "user",
        "guest",
        "customer",
    }
)


def fingerprint(text: str) -> str:
    """Equal for texts that read the same word for word (case and spacing aside)."""
    words = re.findall(r"\w+", text.casefold())
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


def first_name(author: str | None) -> str | None:
    """The author's name fit for a greeting: the first word if it looks like a name, else
    None (nicknames with digits, e-mails and "Аноним" get the anonymous greeting)."""
    if not author:
        return None
    word = author.strip().split()[0] if author.strip() else ""
    word = word.strip(".,!")
    if len(word) < 2 or not _NAME.match(word) or word.casefold() in _NOT_NAMES:
        return None
    return word[0].upper() + word[1:]


def acknowledged_tags(review: Review) -> list[tuple[str, Tone]]:
    """Touchpoints to answer, criticised first, each once: criticism of a touchpoint outweighs
    praise of it elsewhere in the review."""
    seen: dict[str, Tone] = {}
    for item in review.touchpoints:
        if item.polarity != Tone.NEUTRAL and seen.get(item.tag) != Tone.NEGATIVE:
            seen[item.tag] = item.polarity
    ordered = sorted(seen.items(), key=lambda pair: pair[1] != Tone.NEGATIVE)
    return ordered


def template_draft(
    request: DraftRequest, *, fallback: Fallback | None = None, note: str | None = None
) -> Draft:
    """The template draft; `fallback`/`note` say why it stands in for a model's answer."""
    review, voice = request.review, request.voice
    language = review.language or detect_language(review.text)
    limit = reply_limit(review.platform)
    overrides = voice.templates
    tags = [
        (tag, tone)
        for tag, tone in acknowledged_tags(review)
        if f"ack.{tag}.{tone}" in shipped(language)
    ]
    rng = random.Random(request.seed)
    repeated: str | None = None
    for compact in (False, True):
        too_long = 0
        for _ in range(ATTEMPTS):
            text = _compose(language, review, voice, tags, overrides, rng, compact=compact)
            if len(text) > limit:
                too_long += 1
                if too_long > TOO_LONG_TRIES:
                    break  # other variants are rarely much shorter: merge the acknowledgements
                continue
            if fingerprint(text) not in request.avoid:
                return _draft(text, language, tags, fallback, note)
            repeated = text
    # A model's failure is the news the team needs; otherwise say why the templates fell short.
    if repeated is not None:
        return _draft(repeated, language, tags, fallback or Fallback.REPEATED, note)
    text = _compose(language, review, voice, tags, overrides, rng, compact=True, shortest=True)
    return _draft(text, language, tags, fallback or Fallback.TOO_LONG, note or f"{limit}")


def _draft(
    text: str,
    language: str,
    tags: list[tuple[str, Tone]],
    fallback: Fallback | None,
    note: str | None,
) -> Draft:
    return Draft(
        text=text,
        origin=DraftOrigin.TEMPLATE,
        language=language,
        fingerprint=fingerprint(text),
        acknowledged=tuple(tag for tag, _ in tags),
        fallback=fallback,
        note=note,
    )


def _compose(
    language: str,
    review: Review,
    voice: Voice,
    tags: list[tuple[str, Tone]],
    overrides: Mapping[tuple[str, str], Variants],
    rng: random.Random,
    *,
    compact: bool,
    shortest: bool = False,
) -> str:
    def pick(key: str) -> str:
        options = variants(language, key, overrides)
        if shortest:
            return min(options, key=len)
        return options[rng.randrange(len(options))]

    name = first_name(review.author)
    greeting = pick("greeting.named" if name else "greeting.anonymous")
    sentences = [pick(f"opening.{review.tone}")]
    if compact:
        for tone in (Tone.NEGATIVE, Tone.POSITIVE):
            names = [pick(f"topic.{tag}") for tag, polarity in tags if polarity == tone]
            if names:
                topics = _join(names, language)
                sentences.append(pick(f"ack_all.{tone}").replace("{topics}", topics))
    else:
        sentences.extend(pick(f"ack.{tag}.{tone}") for tag, tone in tags)
    sentences.append(pick(f"next_step.{review.tone}"))
    signature = voice.signature or pick("signature.default")
    body = " ".join(sentences)
    text = f"{greeting}\n{body}\n\n{signature}"
    return text.replace("{name}", name or "").replace("{brand}", voice.brand)


def _join(names: list[str], language: str) -> str:
    if len(names) == 1:
        return names[0]
    last = " и " if language == "ru" else " and "
    return ", ".join(names[:-1]) + last + names[-1]
