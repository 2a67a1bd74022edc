"""Insight in Telegram: after a digest (and on /compare), the branch ranking and the
competitor comparison as charts with one explaining message."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.types import BufferedInputFile, LinkPreviewOptions

from reports.insight import InsightFigures
from reports.insight_chart import branch_chart, compare_chart
from reports.insight_text import insight_html

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def deliver_insight(
    bot: Bot, chat_id: int, figures: InsightFigures, lang: str, *, always: bool = False
) -> int | None:
    """Charts first, then the text; nothing for a brand with neither branches nor competitors
    unless `always` (the /compare command answers in any case). Returns the last message id."""
    if not (figures.has_branches or figures.has_competitors or always):
        return None
    charts = []
    if figures.has_branches:
        charts.append(("branches.png", await asyncio.to_thread(branch_chart, figures, lang)))
    if figures.has_competitors:
        charts.append(("compare.png", await asyncio.to_thread(compare_chart, figures, lang)))
    for name, png in charts:
        await bot.send_photo(chat_id, BufferedInputFile(png, filename=name))
    sent = await bot.send_message(
        chat_id,
        insight_html(figures, lang),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
    )
    return sent.message_id
