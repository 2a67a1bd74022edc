"""Drafts from a language model, against a local fake OpenAI-compatible server: the prompt it
gets, an answer that passes, and every failure falling back to the template with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from replies import (
    Drafter,
    DraftOrigin,
    DraftRequest,
    Fallback,
    LLMClient,
    LLMSettings,
    Review,
    Tone,
    Touchpoint,
    Voice,
)
from tests.fakes.openai_api import FakeLLM, fake_llm

__all__ = ["fake_llm"]

REVIEW = Review(
    text="Ждали заказ час, официант нагрубил.",
    author="Иван",
    rating=1,
    tone=Tone.NEGATIVE,
    touchpoints=(Touchpoint("staff", Tone.NEGATIVE), Touchpoint("waiting", Tone.NEGATIVE)),
    platform="google_business",
)
VOICE = Voice(
    brand="Кофемания",
    signature="Команда Кофемании",
    tone_notes="На «вы», тепло, без канцелярита",
    rules=("Не называть сотрудников по имени", "Не писать «к сожалению»"),
)
GOOD = (
    "Иван, здравствуйте! Простите за долгое ожидание и грубость официанта: так быть не должно. "
    "Разберёмся с персоналом и напишем вам.\n\nКоманда Кофемании"
)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def drafter_for(fake: FakeLLM, http: aiohttp.ClientSession, timeout: float = 5.0) -> Drafter:
    settings = LLMSettings(url=fake.url, model="qwen2.5-7b", api_key="sk-local", timeout=timeout)
    return Drafter(LLMClient(http, settings))


async def test_a_good_answer_is_the_draft_and_the_prompt_carries_review_and_voice(
    fake_llm: FakeLLM, http: aiohttp.ClientSession
) -> None:
    fake_llm.answer(GOOD)
    draft = await drafter_for(fake_llm, http).draft(DraftRequest(REVIEW, VOICE))
    assert (draft.origin, draft.text, draft.fallback) == (DraftOrigin.LLM, GOOD, None)
    (request,) = fake_llm.requests
    assert request.headers["Authorization"] == "Bearer sk-local"
    assert request.body["model"] == "qwen2.5-7b"
    prompt = request.prompt
    for part in (
        "Ждали заказ час, официант нагрубил.",
        "staff (negative)",
        "waiting (negative)",
        "На «вы», тепло, без канцелярита",
        "House rule: Не называть сотрудников по имени",
        "Sign as: Команда Кофемании",
        "Russian",
        "Stars: 1/5",
    ):
        assert part in prompt, part


async def test_no_answer_in_time_falls_back_to_the_template(
    fake_llm: FakeLLM, http: aiohttp.ClientSession
) -> None:
    fake_llm.slow(1.5, GOOD)
    draft = await drafter_for(fake_llm, http, timeout=0.3).draft(DraftRequest(REVIEW, VOICE))
    assert draft.origin == DraftOrigin.TEMPLATE and draft.fallback == Fallback.LLM_FAILED
    assert draft.note == "no answer within 0.3 s"
    assert draft.text.startswith(("Здравствуйте, Иван!", "Иван,", "Добрый день, Иван!"))


@pytest.mark.parametrize(
    ("script", "fallback", "reason"),
    [
        ("refuse", Fallback.LLM_FAILED, "refused"),
        ("I'm sorry, but I can't help with that request.", Fallback.LLM_REJECTED, "refused"),
        (
            "Иван, простите! Дарим скидку 20% на следующий визит.\n\nКоманда Кофемании",
            Fallback.LLM_REJECTED,
            "скидк",
        ),
        (
            "Иван, простите! Мы перезвоним вам в течение 24 часов.\n\nКоманда Кофемании",
            Fallback.LLM_REJECTED,
            "figures the review does not give: 24",
        ),
        ("Dear Ivan, we are sorry for the wait.", Fallback.LLM_REJECTED, "language"),
        ("Здравствуйте, [Имя]! Простите нас.", Fallback.LLM_REJECTED, "placeholders"),
        (
            "Иван, простите, к сожалению так вышло.\n\nКоманда Кофемании",
            Fallback.LLM_REJECTED,
            "house rule",
        ),
        ("Простите! " * 600, Fallback.LLM_REJECTED, "characters, the platform allows 4096"),
        ("fail", Fallback.LLM_FAILED, "HTTP 500"),
    ],
)
async def test_a_refused_or_rule_breaking_answer_falls_back(
    fake_llm: FakeLLM, http: aiohttp.ClientSession, script: str, fallback: Fallback, reason: str
) -> None:
    if script == "refuse":
        fake_llm.refuse()
    elif script == "fail":
        fake_llm.fail(500)
    else:
        fake_llm.answer(script)
    draft = await drafter_for(fake_llm, http).draft(DraftRequest(REVIEW, VOICE))
    assert draft.origin == DraftOrigin.TEMPLATE and draft.fallback == fallback
    assert reason in (draft.note or "")
    assert "скидк" not in draft.text


async def test_offers_pass_where_the_brand_allows_them(
    fake_llm: FakeLLM, http: aiohttp.ClientSession
) -> None:
    generous = Voice(brand="Кофемания", allow_offers=True, rules=("Можно предложить скидку 10%",))
    text = "Иван, простите! Предлагаем скидку 10% на следующий визит.\n\nКофемания"
    fake_llm.answer(text)
    draft = await drafter_for(fake_llm, http).draft(DraftRequest(REVIEW, generous))
    assert (draft.origin, draft.text) == (DraftOrigin.LLM, text)


async def test_an_unreachable_model_falls_back(http: aiohttp.ClientSession) -> None:
    settings = LLMSettings(url="http://127.0.0.1:9/v1", model="m", timeout=2)
    draft = await Drafter(LLMClient(http, settings)).draft(DraftRequest(REVIEW, VOICE))
    assert draft.fallback == Fallback.LLM_FAILED and "could not reach" in (draft.note or "")
