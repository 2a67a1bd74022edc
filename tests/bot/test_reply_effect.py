"""What replies changed: a review whose stars went up after our reply shows on its case card,
in /stats and in the digest with the average gain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from reports.response import ResponseFigures, rating_gains
from reports.telegram import response_lines
from storage.models import Case, MentionRevision
from storage.repositories.revisions import RatingRaise
from tests.bot.conftest import PR, RunningBot, World


async def raised_after_reply(world: World, old: float, new: float) -> int:
    mention_id, case_id = await world.negative_review(rating=old)
    now = world.clock()
    async with world.sessions.begin() as session:
        await session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(status="replied", first_response_at=now, assignee_id=PR)
        )
        session.add(
            MentionRevision(
                mention_id=mention_id,
                seen_at=now + timedelta(hours=2),
                old_text="Ждали заказ час",
                old_rating=old,
                new_rating=new,
                after_reply=True,
            )
        )
    assert case_id is not None
    return case_id


async def test_case_card_and_stats_show_ratings_raised_after_a_reply(
    running_bot: RunningBot, world: World
) -> None:
    case_id = await raised_after_reply(world, 1, 4)
    await raised_after_reply(world, 2, 4)
    world.clock.advance(hours=3)
    fake = running_bot.fake

    mark = fake.mark()
    fake.send_text(f"/case {case_id}", user_id=PR)
    card = await fake.wait_for("sendMessage", chat_id=PR, since=mark)
    assert "🎉 После ответа оценка выросла: 1★ → 4★ (02.03.2026 14:30)" in (card.text or "")

    mark = fake.mark()
    fake.send_text("/stats 7", user_id=PR)
    stats = await fake.wait_for("sendMessage", chat_id=PR, since=mark)
    assert "после наших ответов 2 отз. подняли оценку, в среднем +2.5★" in (stats.text or "")


def test_gain_counts_each_review_once_and_the_digest_says_it() -> None:
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    changes = [
        RatingRaise(1, 1, 10, 1.0, 3.0, at),
        RatingRaise(1, 1, 10, 3.0, 5.0, at + timedelta(days=1)),
        RatingRaise(2, 1, 11, 2.0, 3.0, at),
    ]
    assert rating_gains(changes) == (2, 2.5)
    assert rating_gains([]) == (0, None)
    week = ResponseFigures(cases=3, responded=3, ratings_raised=2, average_gain=2.5)
    assert "🎉 Оценку подняли после ответа: <b>2</b> (в среднем +2,5★)" in response_lines(
        week, ResponseFigures(), "ru"
    )
    assert "(+2.5★ on average)" in response_lines(week, ResponseFigures(), "en")[-1]
