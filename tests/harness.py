"""BotHarness: the real bot (built exactly as `zorgroute run` builds it) polling a Bot API emulator.

    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school("De Regenboog")
        code = await h.invite(school, "ib", name="Ineke")
        await h.send(1001, f"/start {code}")
        assert "Welkom" in h.last(1001)

send()/press() return once the bot has handled the update (no sleeps). A handler that raises
makes send()/press() raise too, so a broken path never looks like silence.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from aiogram.types import ErrorEvent
from sqlalchemy import func, literal, select, table, union_all

from bot.app import Runtime, prepare
from bot.services.invites import create_invite
from bot.settings import EMULATOR_TOKEN, Settings
from emulator.server import RunningEmulator, start_emulator
from emulator.state import EmulatorState
from flows.clock import FrozenClock, IdSource, SequentialIds
from storage.base import Base
from storage.models import Member
from storage.uow import UnitOfWork


class BotHarness:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: FrozenClock,
        ids: IdSource | None = None,
        polling_timeout: int = 1,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.ids = ids or SequentialIds()
        self.polling_timeout = polling_timeout
        self.state = EmulatorState(now=clock.now)
        self.emulator: RunningEmulator | None = None
        self.runtime: Runtime | None = None
        self.errors: list[BaseException] = []
        self._task: asyncio.Task[None] | None = None
        self._seen: dict[int, int] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> BotHarness:
        self.emulator = await start_emulator(self.state, "127.0.0.1", 0)
        await self._start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()
        if self.emulator is not None:
            await self.emulator.close()

    async def restart(self) -> None:
        """Stop the bot and build a new one over the same database (the emulator keeps its chats)."""
        await self._stop()
        await self._start()

    async def _start(self) -> None:
        assert self.emulator is not None
        self.runtime = runtime = await prepare(
            self.settings,
            clock=self.clock,
            ids=self.ids,
            token=EMULATOR_TOKEN,
            api_base=self.emulator.base_url,
        )
        runtime.dp.errors.register(self._record_error)
        # The name guard loads once per process (seconds); loaded before the first update, so no test's
        # free-text answer waits for it inside an update.
        await runtime.dp["name_guard"].wait()
        started = asyncio.Event()
        runtime.dp.startup.register(started.set)
        self._task = asyncio.create_task(
            runtime.dp.start_polling(
                runtime.bot,
                handle_signals=False,
                handle_as_tasks=False,  # consumed means handled
                polling_timeout=self.polling_timeout,
                close_bot_session=False,
            )
        )
        starting = asyncio.create_task(started.wait())
        await asyncio.wait({starting, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not started.is_set():
            starting.cancel()
            await self._task  # raises the startup error

    async def _stop(self) -> None:
        if self.runtime is None:
            return
        if self._task is not None and not self._task.done():
            with contextlib.suppress(RuntimeError):
                await self.runtime.dp.stop_polling()
            await self._task
        await self.runtime.close()
        self.runtime, self._task = None, None

    async def _record_error(self, event: ErrorEvent) -> bool:
        self.errors.append(event.exception)
        return True

    # -- people act --------------------------------------------------------------------------
    async def send(self, user_id: int, text: str, **kwargs: Any) -> None:
        """`user_id` sends `text` (kwargs: first_name, language_code, chat_id, chat_type)."""
        await self._handled(self.state.user_sends(user_id, text, **kwargs))

    async def press(
        self, user_id: int, button_text: str | None = None, *, data: str | None = None, **kwargs: Any
    ) -> None:
        """`user_id` presses the button with this text (or raw callback data) in their chat."""
        update = self.state.user_presses(user_id, button_text=button_text, data=data, **kwargs)
        await self._handled(update)

    async def channel_post(self, chat_id: int, text: str) -> None:
        await self._handled(self.state.channel_post(chat_id, text))

    async def _handled(self, update: dict[str, Any]) -> None:
        # A bound for a hang, not a speed check (benchmarks are in bench/): a first chart or routekaart
        # render took more than 10 s on the loaded 2-core CI machine.
        await self.state.wait_consumed(int(update["update_id"]), timeout=30)
        # The update's notifications are committed; deliver them now, in order, instead of racing
        # the background loop (which the harness does not run).
        assert self.runtime is not None
        await self.runtime.outbox.drain()
        if self.errors:
            error, self.errors = self.errors[0], []
            raise AssertionError(f"the bot failed on update {update['update_id']}") from error

    # -- what people see ---------------------------------------------------------------------
    def received(self, chat_id: int, *, all: bool = False) -> list[str]:
        """The bot's texts in this chat since the last call (or all of them)."""
        texts = [m.text for m in self.state.bot_messages(chat_id)]
        start = 0 if all else self._seen.get(chat_id, 0)
        self._seen[chat_id] = len(texts)
        return texts[start:]

    def last(self, chat_id: int) -> str:
        return self.state.last_bot_message(chat_id).text

    def buttons(self, chat_id: int) -> list[str]:
        """Texts of the inline buttons under the bot's last message."""
        message = self.state.last_bot_message(chat_id)
        return [button.text for row in message.buttons for button in row]

    def callback_answers(self, chat_id: int) -> list[str | None]:
        return [answer.text for answer in self.state.callback_answers(chat_id)]

    # -- the database, directly --------------------------------------------------------------
    def uow(self) -> UnitOfWork:
        assert self.runtime is not None
        return UnitOfWork(self.runtime.sessionmaker)

    async def add_school(self, name: str = "De Regenboog", kind: str = "po") -> int:
        async with self.uow() as uow:
            school = await uow.schools.add(name=name, kind=kind, route_id=None, now=self.clock.now())
            await uow.commit()
            return school.id

    async def invite(
        self, school_id: int, *roles: str, name: str | None = None, expires_days: int = 14
    ) -> str:
        async with self.uow() as uow:
            new = await create_invite(
                uow,
                school_id=school_id,
                roles=roles,
                display_name=name,
                now=self.clock.now(),
                expires_days=expires_days,
            )
            await uow.commit()
            return new.code

    async def register(
        self, user_id: int, *roles: str, school_id: int | None = None, name: str | None = None
    ) -> None:
        """Make `user_id` a member through the real /start path (creating a school if none given)."""
        school_id = school_id if school_id is not None else await self.add_school()
        code = await self.invite(school_id, *roles, name=name)
        await self.send(user_id, f"/start {code}")
        self.received(user_id)  # the welcome is not what the caller is testing

    async def member(self, telegram_user_id: int) -> Member | None:
        async with self.uow() as uow:
            return await uow.members.by_telegram_id(telegram_user_id)

    async def row_counts(self) -> dict[str, int]:
        """Rows in every table (including Alembic's), to prove that nothing was written. Not the shared
        rate limits' buckets (PostgreSQL): every update takes a token, and a token is not data."""
        names = [t.name for t in Base.metadata.sorted_tables if t.name != "rate_bucket"] + ["alembic_version"]
        # One statement for all tables: the access matrix and the fuzz test ask after nearly every update.
        counting = union_all(
            *(
                select(literal(name).label("name"), func.count().label("n")).select_from(table(name))
                for name in names
            )
        )
        async with self.uow() as uow:
            return {name: int(n) for name, n in (await uow.session.execute(counting)).all()}

    def advance(self, delta: timedelta) -> datetime:
        self.clock.advance(delta)
        return self.clock.now()
