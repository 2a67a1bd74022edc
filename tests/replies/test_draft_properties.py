"""Whatever the review, a template draft fits the platform (or says it cannot), acknowledges
every criticised touchpoint it knows, and leaves no placeholder behind."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from replies import (
    DraftRequest,
    Fallback,
    Review,
    Tone,
    Touchpoint,
    Voice,
    acknowledges,
    leftover_placeholders,
    reply_limit,
    template_draft,
)
from replies.compose import acknowledged_tags as _acknowledged
from replies.limits import PLATFORM_LIMITS

TAGS = ["staff", "product", "price", "delivery", "waiting", "place", "digital", "support", "odd"]
TEXTS = ["Ждали час, нагрубили.", "Great coffee!", "", "😡😡😡", "Норм"]

reviews = st.builds(
    Review,
    text=st.sampled_from(TEXTS),
    author=st.one_of(st.none(), st.text(max_size=30)),
    rating=st.one_of(st.none(), st.integers(1, 5).map(float)),
    tone=st.sampled_from(list(Tone)),
    touchpoints=st.lists(
        st.builds(Touchpoint, st.sampled_from(TAGS), st.sampled_from(list(Tone))), max_size=9
    ).map(tuple),
    language=st.sampled_from([None, "ru", "en"]),
    platform=st.sampled_from([*PLATFORM_LIMITS, "twogis", "rss"]),
)


@settings(max_examples=300, deadline=None)
@given(review=reviews, brand=st.text(min_size=1, max_size=40), seed=st.integers(0, 10**6))
def test_any_review_gets_a_fitting_complete_draft(review: Review, brand: str, seed: int) -> None:
    draft = template_draft(DraftRequest(review, Voice(brand=brand.replace("{", "(")), seed=seed))
    assert len(draft.text) <= reply_limit(review.platform) or draft.fallback == Fallback.TOO_LONG
    assert not leftover_placeholders(draft.text.replace(brand, ""))
    criticised = {t.tag for t in review.touchpoints if t.polarity == Tone.NEGATIVE} - {"odd"}
    for tag in criticised:
        assert (tag, "negative") in [(t, str(p)) for t, p in _acknowledged(review)]
        assert tag in draft.acknowledged
        assert acknowledges(draft.text, tag, draft.language), (tag, draft.text)
