"""Drafts from an OpenAI-compatible chat endpoint (llama.cpp, vLLM, Ollama or a hosted one).

The prompt carries the review, its touchpoints, the brand's tone-of-voice notes and house
rules. Every failure (no answer in time, an HTTP error, a refusal) is an LLMError; the drafter
then falls back to the templates and says why.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from replies.errors import LLMError
from replies.limits import reply_limit
from replies.records import Review, Voice

log = logging.getLogger(__name__)

_LANGUAGE_NAMES = {"ru": "Russian", "en": "English"}
_MAX_ANSWER_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class LLMSettings:
    url: str  # the API base (…/v1) or the full …/chat/completions address
    model: str
    api_key: str | None = None
    timeout: float = 20.0
    temperature: float = 0.7

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


def build_messages(review: Review, voice: Voice, language: str) -> list[dict[str, str]]:
    """The system prompt (who answers and the rules) and the user message (the review)."""
    limit = reply_limit(review.platform)
    rules = [
        f"Write a reply from {voice.brand} to a customer's review, in "
        f"{_LANGUAGE_NAMES.get(language, language)}, at most {min(limit, 1000)} characters.",
        "Greet the author by name when one is given, acknowledge each topic the review "
        "criticises or praises, apologise for problems or thank for praise, say what happens "
        "next, and sign off.",
        "Do not promise discounts, refunds, compensation, gifts or deadlines"
        + (" unless the house rules allow them." if voice.allow_offers else "."),
        "Do not invent facts: no figures, dates, names, phone numbers or links that are not in "
        "the review or in these instructions.",
        "Answer with the reply text only, no quotes and no placeholders.",
    ]
    if voice.signature:
        rules.append(f"Sign as: {voice.signature}")
    if voice.tone_notes:
        rules.append(f"Tone of voice: {voice.tone_notes}")
    rules.extend(f"House rule: {rule}" for rule in voice.rules)
    topics = ", ".join(f"{t.tag} ({t.polarity})" for t in review.touchpoints) or "none tagged"
    stars = f"{review.rating:g}/5" if review.rating is not None else "no stars"
    user = (
        f"Author: {review.author or 'anonymous'}\nStars: {stars}\nOverall tone: {review.tone}\n"
        f"Topics: {topics}\n\nReview:\n{review.text.strip()}"
    )
    return [{"role": "system", "content": "\n".join(rules)}, {"role": "user", "content": user}]


class LLMClient:
    """One chat completion per draft through the process's shared aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, settings: LLMSettings) -> None:
        self._session = session
        self.settings = settings

    async def complete(self, messages: list[dict[str, str]]) -> str:
        settings = self.settings
        headers = {"Content-Type": "application/json"}
        if settings.api_key:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        body = {
            "model": settings.model,
            "messages": messages,
            "temperature": settings.temperature,
        }
        try:
            async with self._session.post(
                settings.endpoint,
                data=json.dumps(body, ensure_ascii=False).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=settings.timeout),
            ) as resp:
                raw = await resp.content.read(_MAX_ANSWER_BYTES)
                status = resp.status
        except TimeoutError as exc:
            raise LLMError(f"no answer within {settings.timeout:g} s") from exc
        except aiohttp.ClientError as exc:
            raise LLMError(f"could not reach the language model: {exc}") from exc
        if status >= 400:
            snippet = raw[:200].decode("utf-8", "replace").strip()
            raise LLMError(f"the language model answered HTTP {status} {snippet}".rstrip())
        return _content(raw)


def _content(raw: bytes) -> str:
    try:
        data: Any = json.loads(raw.decode("utf-8", "replace"))
        choice = data["choices"][0]
        message = choice["message"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError("the language model's answer is not a chat completion") from exc
    if message.get("refusal") or choice.get("finish_reason") == "content_filter":
        raise LLMError("the language model refused to write the reply")
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        raise LLMError("the language model gave an empty answer")
    return content.strip().strip('"«»').strip()
