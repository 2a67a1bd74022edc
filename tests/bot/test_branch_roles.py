"""Branch-scoped roles and branch names in alerts, /cases and /stats, through the real bot."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import Branch, Brand, Member, Source
from tests.bot.conftest import OWNER, PR, RunningBot, World, drain

MANAGER = 1004


async def _two_branches(world: World) -> tuple[int, int]:
    """The world's 2GIS page becomes branch "Арбат"; a second page is branch "Невский",
    whose manager (a pr member scoped to it) sees nothing of Арбат."""
    async with world.sessions.begin() as session:
        arbat = Branch(brand_id=world.brand_id, name="Арбат", created_at=world.clock())
        nevsky = Branch(brand_id=world.brand_id, name="Невский", created_at=world.clock())
        session.add_all([arbat, nevsky])
        await session.flush()
        await session.execute(
            update(Source).where(Source.id == world.source_id).values(branch_id=arbat.id)
        )
        other = Source(
            brand_id=world.brand_id,
            branch_id=nevsky.id,
            kind="twogis",
            url="https://2gis.ru/spb/firm/70000002",
            created_at=world.clock(),
            backfilled=True,
        )
        session.add(other)
        session.add(
            Member(
                brand_id=world.brand_id,
                user_id=MANAGER,
                role="pr",
                name="Мария",
                branch_id=nevsky.id,
                created_at=world.clock(),
            )
        )
        await session.flush()
        return world.source_id, other.id


async def test_branch_manager_sees_and_works_only_their_branch(
    running_bot: RunningBot, world: World
) -> None:
    fake = running_bot.fake
    arbat_source, nevsky_source = await _two_branches(world)
    _, arbat_case = await world.negative_review("Арбат: нагрубили на кассе")
    world.source_id = nevsky_source
    _, nevsky_case = await world.negative_review("Невский: холодный кофе")
    world.source_id = arbat_source

    async def say(text: str, user: int) -> str:
        mark = fake.mark()
        fake.send_text(text, user_id=user, first_name="Мария")
        return (await fake.wait_for("sendMessage", chat_id=user, since=mark)).text or ""

    listing = await say("/cases", MANAGER)
    assert f"#{nevsky_case}" in listing and "📍 Невский" in listing
    assert f"#{arbat_case}" not in listing
    assert "не найден" in await say(f"/case {arbat_case}", MANAGER)
    assert "не найден" in await say(f"/take {arbat_case}", MANAGER)
    assert "Мария" in await say(f"/take {nevsky_case}", MANAGER)

    owner_view = await say("/cases Арбат", OWNER)
    assert f"#{arbat_case}" in owner_view and f"#{nevsky_case}" not in owner_view
    stats = await say("/stats", OWNER)
    assert "📍 <b>Арбат</b>" in stats and "📍 <b>Невский</b>" in stats
    assert "Арбат" not in await say("/stats", MANAGER)
    # The ranking of the branches is the whole brand's to see, not one branch's manager's.
    refused = await say("/compare", MANAGER)
    assert "/digest" in refused and "Арбат" not in refused

    await drain(running_bot.notifier, world)
    alerts = [m["text"] for m in fake.messages(OWNER) if "Негативный отзыв" in m["text"]]
    assert any("Кофемания · 📍 Невский" in text for text in alerts)


async def test_a_branch_invite_scopes_the_new_member_to_that_branch(
    running_bot: RunningBot, world: World
) -> None:
    fake = running_bot.fake
    _, nevsky_source = await _two_branches(world)
    _, arbat_case = await world.negative_review("Арбат: нагрубили на кассе")
    world.source_id = nevsky_source
    _, nevsky_case = await world.negative_review("Невский: холодный кофе")
    newcomer = 7007

    async def say(text: str, user: int) -> str:
        mark = fake.mark()
        fake.send_text(text, user_id=user, first_name="Нина")
        return (await fake.wait_for("sendMessage", chat_id=user, since=mark)).text or ""

    answer = await say("/invite pr Кофемания Невский", OWNER)
    assert "Кофемания · 📍 Невский" in answer
    code = answer.split("<code>/start ")[1].split("</code>")[0]
    assert "в команде" in await say(f"/start {code}", newcomer)
    listing = await say("/cases", newcomer)
    assert f"#{nevsky_case}" in listing and f"#{arbat_case}" not in listing
    # An existing member of the whole brand is never narrowed by a branch invite.
    code = (
        (await say("/invite viewer Невский", OWNER)).split("<code>/start ")[1].split("</code>")[0]
    )
    await say(f"/start {code}", PR)
    assert f"#{arbat_case}" in await say("/cases", PR)


async def test_another_brands_branch_name_is_not_an_invite_to_the_whole_brand(
    running_bot: RunningBot, world: World
) -> None:
    """The owner also owns «Шоколадница», which has no branch «Невский»: an invite naming it
    is refused, not turned into one for all of «Шоколадница»."""
    fake = running_bot.fake
    await _two_branches(world)
    async with world.sessions.begin() as session:
        other = Brand(
            name="Шоколадница",
            aliases=["Шоколадница"],
            created_at=world.clock(),
            response_minutes=60,
            work_start="00:00",
            work_end="00:00",
        )
        session.add(other)
        await session.flush()
        session.add(
            Member(
                brand_id=other.id, user_id=OWNER, role="owner", name="Ольга",
                created_at=world.clock(),
            )
        )  # fmt: skip

    async def say(text: str) -> str:
        mark = fake.mark()
        fake.send_text(text, user_id=OWNER, first_name="Ольга")
        return (await fake.wait_for("sendMessage", chat_id=OWNER, since=mark)).text or ""

    refused = await say("/invite pr Шоколадница Невский")
    assert "/start" not in refused and "Шоколадница Невский" in refused
    assert "Кофемания · 📍 Невский" in await say("/invite pr Кофемания Невский")
