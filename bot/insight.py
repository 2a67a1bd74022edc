"""Insight in Telegram: after a digest (and on /compare), the branch ranking and the
competitor comparison as charts with one explaining message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.types import BufferedInputFile, LinkPreviewOptions

from reports.insight import InsightFigures
from reports.insight_chart import branch_chart, compare_chart
from reports.insight_text import insight_html

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def deliver_insight(
    bot: Bot,
    chat_id: int,
    figures: InsightFigures,
    lang: str,
    *,
    always: bool = False,
    charts_sent: Collection[str] = (),
    on_chart: Callable[[str], Awaitable[None]] | None = None,
) -> int | None:
    """Charts first, then the text; nothing for a brand with neither branches nor competitors
    unless `always` (the /compare command answers in any case). Returns the last message id.

    A retry passes the charts that already went out (`charts_sent`, each reported through
    `on_chart` as it goes) so the chat does not get them twice."""
    if not (figures.has_branches or figures.has_competitors or always):
        return None
    charts = []
    if figures.has_branches:
        charts.append(("branches.png", branch_chart))
    if figures.has_competitors:
        charts.append(("compare.png", compare_chart))
    for name, draw in charts:
        if name in charts_sent:
            continue
        png = await asyncio.to_thread(draw, figures, lang)
        await bot.send_photo(chat_id, BufferedInputFile(png, filename=name))
        if on_chart is not None:
            await on_chart(name)
    sent = await bot.send_message(
        chat_id,
        insight_html(figures, lang),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
    )
    return sent.message_id
