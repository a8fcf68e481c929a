"""The demo behind `make run` without a token: seeded schools and members, and the page's wiring."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox.capture import CaptureSender
from bot.runner import run_polling
from bot.settings import TELEGRAM_API_DEFAULT, Settings
from emulator import EmulatorState, start_emulator
from emulator.demo import DEMO_USER_BASE, route_roles, seed_demo, start_demo
from flows.clock import FrozenClock
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.uow import UnitOfWork

REAL_LOOKING_TOKEN = "123456789:AAdemo-not-a-real-token-but-shaped-like-one"


Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[Sessions]:
    await upgrade(database_url)
    engine = create_engine(database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_seeding_twice_gives_the_same_members(sessionmaker: Sessions, clock: FrozenClock) -> None:
    registry = builtin_registry()
    first = await seed_demo(sessionmaker, registry, clock.now())
    second = await seed_demo(sessionmaker, registry, clock.now() + timedelta(days=1))

    assert first == second
    async with UnitOfWork(sessionmaker) as uow:
        assert len(await uow.schools.list()) == len(registry.ids())
        assert len(await uow.members.list()) == len(first)


async def test_every_route_has_a_school_and_a_member_for_every_role(
    sessionmaker: Sessions, clock: FrozenClock
) -> None:
    registry = builtin_registry()
    roster = await seed_demo(sessionmaker, registry, clock.now())

    async with UnitOfWork(sessionmaker) as uow:
        schools = {s.route_id: s for s in await uow.schools.list()}
    assert set(schools) == set(registry.ids())
    for route in registry.current():
        school = schools[route.id]
        assert school.kind in route.school_kinds
        assert school.name.startswith("Demo ")
        held = {role for person in roster if person.school == school.name for role in person.roles}
        acting = {r for step in route.steps.values() for r in step.actors} | set(route.start.roles)
        assert acting | set(route.vot) | {"directie"} <= held, route.id
        assert set(route_roles(route)) == held, route.id
    assert len({p.name for p in roster}) == len(roster), "two panes with the same name"
    assert all(p.language == "nl" for p in roster)


async def test_the_roster_is_what_the_database_holds(sessionmaker: Sessions, clock: FrozenClock) -> None:
    roster = await seed_demo(sessionmaker, builtin_registry(), clock.now())

    async with UnitOfWork(sessionmaker) as uow:
        names = {s.id: s.name for s in await uow.schools.list()}
        for person in roster:
            member = await uow.members.by_telegram_id(person.user_id)
            assert member is not None
            assert uow.members.name(member) == person.name
            school_id = (person.user_id - DEMO_USER_BASE) // 100
            assert names[school_id] == person.school
            assert [r.role for r in member.roles if r.school_id == school_id] == person.roles


def test_the_vlaardingen_panes_start_with_the_people_of_its_happy_path() -> None:
    # The page shows panes in roster order: teacher, IB-er and SWV-er must be the first ones.
    assert route_roles(builtin_registry().latest("vlaardingen"))[:3] == ["leerkracht", "ib", "swv"]


def _settings(database_url: str, tmp_path: Path, token: str | None, api_base: str | None = None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_bot_token=token,
        secret_key="test-secret-key",
        data_dir=tmp_path / "data",
        emulator_port=0,
        telegram_api_base=api_base or TELEGRAM_API_DEFAULT,
    )


async def test_the_demo_page_moves_the_bots_clock_and_keeps_deliveries(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    demo = await start_demo(_settings(database_url, tmp_path, None), base_clock=clock)
    try:
        state = demo.emulator.state
        assert state.roster() == demo.roster
        assert state.can_advance_clock

        result = await state.advance_clock("+1d")
        assert result["fired"] == 0  # nothing is due on a fresh database
        assert demo.clock.now() == clock.now() + timedelta(days=1)
        assert state.clock_now() == demo.clock.now()  # the page's header reads the bot's clock

        # No SMTP or WhatsApp account in the demo: both channels are captured into the page's outbox pane.
        email = demo.runtime.outbox.senders["email"]
        assert isinstance(email, CaptureSender) and isinstance(
            demo.runtime.outbox.senders["whatsapp"], CaptureSender
        )
        email.record("email", demo.roster[0].user_id, "x@demo.invalid", "Onderwerp", "Tekst", {})
        assert [d.subject for d in state.externals()] == ["Onderwerp"]
    finally:
        await demo.close()


async def test_with_a_token_the_demo_refuses(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="TELEGRAM_BOT_TOKEN"):
        await start_demo(_settings(database_url, tmp_path, REAL_LOOKING_TOKEN))


async def test_with_a_token_the_runner_seeds_nothing(database_url: str, tmp_path: Path) -> None:
    # A Bot API server that is not ours to seed: the runner must poll it as it would poll Telegram.
    state = EmulatorState()
    async with await start_emulator(state) as telegram:
        settings = _settings(database_url, tmp_path, REAL_LOOKING_TOKEN, telegram.base_url)
        running = asyncio.create_task(run_polling(settings))
        try:
            update = state.user_sends(4242, "/start")
            await state.wait_consumed(update["update_id"], timeout=30)  # the bot is up and polling
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        assert state.roster() == []

    engine = create_engine(database_url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            assert await uow.schools.list() == []
            assert await uow.members.list() == []
    finally:
        await engine.dispose()
