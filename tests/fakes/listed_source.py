"""A source that lists fixed items, for pipeline tests whose subject is what happens after a
poll (sanitising, storing, spikes) rather than a site's parsing, which the scraper tests cover
on recorded pages."""

from __future__ import annotations

from dataclasses import dataclass

from scrapers.records import PollResult, PollState, ScrapedItem


@dataclass
class ListedSource:
    items: list[ScrapedItem]

    async def poll(self, state: PollState, **_: object) -> PollResult:
        return PollResult(self.items, PollState(cursor="c", backfilled=True), seen=len(self.items))
