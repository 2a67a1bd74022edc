"""Errors of drafting replies."""

from __future__ import annotations

from common.errors import OtklikError


class ReplyError(OtklikError):
    """Base of the replies package's errors."""


class TemplateError(ReplyError):
    """An owner's template is unusable (unknown key, unknown placeholder, empty)."""


class LLMError(ReplyError):
    """The language model could not give a usable answer; the message says why."""


class AnswerRejected(LLMError):
    """The model answered, but the answer breaks a rule (too long, wrong language, a promise)."""
