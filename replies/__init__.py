"""Reply drafts for the PR team: templates per language, touchpoint and tone that owners
override per brand, or an OpenAI-compatible language model whose answer is checked before
it is shown; any model failure falls back to the templates and says why.

Knows nothing of the bot or the core: typed records in (`DraftRequest`), `Draft` out.
"""

from replies.checks import acknowledges, leftover_placeholders, problems
from replies.compose import fingerprint, template_draft
from replies.drafter import Drafter
from replies.errors import AnswerRejected, LLMError, ReplyError, TemplateError
from replies.language import LANGUAGES, detect_language
from replies.library import keys, shipped, validate, variants
from replies.limits import reply_limit
from replies.llm import LLMClient, LLMSettings
from replies.records import (
    Draft,
    DraftOrigin,
    DraftRequest,
    Fallback,
    Review,
    Tone,
    Touchpoint,
    Voice,
)

__all__ = [
    "LANGUAGES",
    "AnswerRejected",
    "Draft",
    "DraftOrigin",
    "DraftRequest",
    "Drafter",
    "Fallback",
    "LLMClient",
    "LLMError",
    "LLMSettings",
    "ReplyError",
    "Review",
    "TemplateError",
    "Tone",
    "Touchpoint",
    "Voice",
    "acknowledges",
    "detect_language",
    "fingerprint",
    "keys",
    "leftover_placeholders",
    "problems",
    "reply_limit",
    "shipped",
    "template_draft",
    "validate",
    "variants",
]
