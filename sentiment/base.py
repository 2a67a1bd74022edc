"""The classifier interface the pipeline uses, and the batching that keeps it off the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from sentiment.records import Sentiment, TextInput
from sentiment.stars import combine
from sentiment.touchpoints import ClauseScorer, TouchpointTagger

BATCH_SIZE = 256


@runtime_checkable
class Classifier(Protocol):
    """Labels texts. `fallback_reason` is set when the configured model could not be loaded and
    this one stands in for it, so the service can say why at start."""

    name: str
    fallback_reason: str | None

    async def classify(self, batch: Sequence[TextInput]) -> list[Sentiment]: ...


def to_sentiment(
    item: TextInput,
    text_scores: Mapping[str, float],
    tagger: TouchpointTagger,
    clause_scorer: ClauseScorer | None = None,
    *,
    negative_threshold: float | None = None,
) -> Sentiment:
    """The verdict on one text: what it says weighed with its stars, and its touchpoints."""
    label, scores, review = combine(text_scores, item.rating, negative_threshold)
    return Sentiment(
        label=label,
        score=scores[label],
        scores=scores,
        touchpoints=tagger.tag(item.text, item.brand, label, clause_scorer),
        needs_review=review,
    )


async def run_in_batches(
    work: Callable[[Sequence[TextInput]], list[Sentiment]],
    items: Sequence[TextInput],
    batch_size: int = BATCH_SIZE,
    lanes: int = 1,
) -> list[Sentiment]:
    """Run CPU-bound `work` in worker threads, chunk by chunk, so the event loop stays free
    and a huge batch does not hold it for long between chunks. `lanes` chunks run side by side
    (one per engine that can work at once); each lane takes its next chunk only when its last
    is done, so another batch's chunks get their turn in between. Results keep the order."""
    chunks = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    done: list[list[Sentiment]] = [[] for _ in chunks]

    async def lane(first: int) -> None:
        for k in range(first, len(chunks), lanes):
            done[k] = await asyncio.to_thread(work, chunks[k])

    await asyncio.gather(*(lane(first) for first in range(min(lanes, len(chunks)))))
    return [result for chunk in done for result in chunk]
