"""A site asked for more polls than its politeness allows, in words: one text for `/sources`
and for `otklik status`, naming the real interval and the fix."""

from __future__ import annotations

import json

from bot.render import esc
from bot.texts import t
from scrapers.capacity import HostLoad


def capacity_note(lang: str, load: HostLoad) -> str:
    """HTML for the bot; `bot.render.plain` of it for a terminal."""
    rates = json.dumps({load.host: load.rate_needed})
    return t(
        lang,
        "host_over_budget",
        host=esc(load.host),
        sources=load.sources,
        demand=f"{load.demand:.1f}",
        budget=f"{load.budget:g}",
        effective=f"{load.effective_interval:.0f}",
        wanted=f"{load.wanted_interval:.0f}",
        fix=esc(f"OTKLIK_HTTP_HOST_RATES='{rates}'"),
    )
