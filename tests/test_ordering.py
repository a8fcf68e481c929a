"""Updates arriving at once, as aiogram hands them over in production: each update its own task
(polling's `handle_as_tasks`, the webhook's `handle_in_background` both end in `Dispatcher.feed_update`).
One chat's updates are handled one after another; different chats' at the same time, without one
failing the other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Runtime, prepare
from bot.emulator.server import RunningEmulator, start_emulator
from bot.emulator.state import EmulatorState
from bot.services.invites import create_invite
from bot.settings import EMULATOR_TOKEN, Settings
from flows.clock import FrozenClock, SequentialIds
from storage.models.case import CaseRow
from storage.uow import UnitOfWork

TEACHERS = 12


@pytest.fixture
async def bot(settings: Settings, clock: FrozenClock) -> AsyncIterator[tuple[Runtime, EmulatorState]]:
    state = EmulatorState(now=clock.now)
    emulator: RunningEmulator = await start_emulator(state, "127.0.0.1", 0)
    runtime = await prepare(
        settings, clock=clock, ids=SequentialIds(), token=EMULATOR_TOKEN, api_base=emulator.base_url
    )
    try:
        yield runtime, state
    finally:
        await runtime.close()
        await emulator.close()


async def feed(runtime: Runtime, update: dict[str, Any]) -> None:
    """What the webhook does with a body (and polling with each fetched update): feed it in a task.
    Nobody polls the emulator here, so the queued copy of the update is never fetched again."""
    await runtime.dp.feed_raw_update(runtime.bot, update)


async def teachers(runtime: Runtime, state: EmulatorState, clock: FrozenClock, users: list[int]) -> None:
    async with UnitOfWork(runtime.sessionmaker) as uow:
        school = await uow.schools.add(name="De Regenboog", kind="po", route_id=None, now=clock.now())
        codes = [
            (await create_invite(uow, school_id=school.id, roles=["leerkracht"], display_name=None,
                                 now=clock.now(), expires_days=14)).code
            for _ in users
        ]
        await uow.commit()
    for user, code in zip(users, codes, strict=True):
        await feed(runtime, state.user_sends(user, f"/start {code}"))


async def test_two_quick_signals_of_one_teacher_leave_one_draft(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    runtime, state = bot
    await teachers(runtime, state, clock, [501])

    first, second = state.user_sends(501, "/signaal"), state.user_sends(501, "/signaal")
    await asyncio.gather(feed(runtime, first), feed(runtime, second))

    async with UnitOfWork(runtime.sessionmaker) as uow:
        statuses = list(await uow.session.scalars(select(CaseRow.status).order_by(CaseRow.id)))
        member = await uow.members.by_telegram_id(501)
    # The second /signaal replaced the first's draft (discarded), as it does when typed slowly.
    assert statuses.count("draft") == 1, statuses
    assert member is not None and member.conversation is not None
    texts = [m.text for m in state.bot_messages(501)]
    assert len(texts) >= 3  # the welcome and a form question for each /signaal


async def test_first_signals_of_many_teachers_at_once_all_get_their_form(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    runtime, state = bot
    users = list(range(600, 600 + TEACHERS))
    await teachers(runtime, state, clock, users)
    before = {u: len(state.bot_messages(u)) for u in users}

    outcomes = await asyncio.gather(
        *(feed(runtime, state.user_sends(u, "/signaal")) for u in users), return_exceptions=True
    )

    assert [o for o in outcomes if o is not None] == []  # no IntegrityError on the route's first case
    assert all(len(state.bot_messages(u)) > before[u] for u in users)
    async with UnitOfWork(runtime.sessionmaker) as uow:
        drafts = await uow.session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.status == "draft")
        )
    assert drafts == TEACHERS
