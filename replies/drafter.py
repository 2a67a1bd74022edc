"""The drafter: a language model's reply when one is set up and its answer passes the checks,
otherwise (or on any failure) the template draft, with the reason attached."""

from __future__ import annotations

import logging

from replies.checks import acknowledges, problems
from replies.compose import fingerprint, template_draft
from replies.errors import AnswerRejected, LLMError
from replies.language import detect_language
from replies.llm import LLMClient, build_messages
from replies.records import Draft, DraftOrigin, DraftRequest, Fallback

log = logging.getLogger(__name__)


class Drafter:
    def __init__(self, llm: LLMClient | None = None) -> None:
        self.llm = llm

    async def draft(self, request: DraftRequest) -> Draft:
        if self.llm is None:
            return template_draft(request)
        try:
            return await self._llm_draft(request)
        except AnswerRejected as exc:
            log.info("language model draft broke a rule: %s", exc)
            return template_draft(request, fallback=Fallback.LLM_REJECTED, note=str(exc))
        except LLMError as exc:
            log.info("language model draft not used: %s", exc)
            return template_draft(request, fallback=Fallback.LLM_FAILED, note=str(exc))

    async def _llm_draft(self, request: DraftRequest) -> Draft:
        assert self.llm is not None
        review = request.review
        language = review.language or detect_language(review.text)
        text = await self.llm.complete(build_messages(review, request.voice, language))
        wrong = problems(text, review, request.voice, language=language)
        if fingerprint(text) in request.avoid:
            wrong.append("the same text as an earlier draft today")
        if wrong:
            raise AnswerRejected("; ".join(wrong))
        return Draft(
            text=text,
            origin=DraftOrigin.LLM,
            language=language,
            fingerprint=fingerprint(text),
            acknowledged=tuple(
                dict.fromkeys(
                    t.tag for t in review.touchpoints if acknowledges(text, t.tag, language)
                )
            ),
        )
