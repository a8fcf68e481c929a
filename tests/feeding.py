"""Feeding updates straight to the dispatcher, as the webhook does with a request body and polling with
each fetched update (each in its own task in production), with the real bot talking to the emulator.
Nobody polls the emulator here, so the queued copy of an update the emulator makes is never fetched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import Runtime, prepare
from bot.services.invites import create_invite
from bot.settings import EMULATOR_TOKEN, Settings
from emulator.server import RunningEmulator, start_emulator
from emulator.state import EmulatorState
from flows.clock import FrozenClock, SequentialIds
from storage.uow import UnitOfWork


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
    await runtime.dp.feed_raw_update(runtime.bot, update)


async def teachers(runtime: Runtime, state: EmulatorState, clock: FrozenClock, users: list[int]) -> None:
    async with UnitOfWork(runtime.sessionmaker) as uow:
        school = await uow.schools.add(name="De Regenboog", kind="po", route_id=None, now=clock.now())
        codes = [
            (
                await create_invite(
                    uow,
                    school_id=school.id,
                    roles=["leerkracht"],
                    display_name=None,
                    now=clock.now(),
                    expires_days=14,
                )
            ).code
            for _ in users
        ]
        await uow.commit()
    for user, code in zip(users, codes, strict=True):
        await feed(runtime, state.user_sends(user, f"/start {code}"))
