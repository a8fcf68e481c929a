"""Benchmark: the full bot against a bare aiogram echo bot, on the same loopback Bot API emulator.

Both bots long-poll their own emulator in this process; the load is generated here too, so both pay the
same for it. Runs are interleaved (echo, bot, echo, bot, …) so a busy machine slows both alike. Each run
has its own bot's garbage collector: the echo CPython's default, as a bare aiogram bot runs; the bot its
start-up heap frozen, as `zorgroute run` does (bot/heap.py).

- closed loop: `--members` people each send, wait for the reply, send again, for `--seconds`:
  `help` (/help), `read` (/mijn: the member's cases, a case read through the policy, audited) and
  `signal` (a /signaal conversation: /signaal, a pupil label, /annuleer — three updates);
  updates/s for both bots and their ratio;
- open loop: /help offered at `--rate` a second for `--seconds`; p50/p99 from update to reply.

On SQLite (a fresh file), and on PostgreSQL in a scratch schema when ZORGROUTE_TEST_POSTGRES_URL is set.

    .venv/bin/python bench/throughput.py [--members 200] [--seconds 5] [--pairs 3] [--rate 100]
        [--scenarios help read signal] [--databases sqlite postgresql]

The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

from bot.app import prepare
from bot.heap import freeze_startup_heap
from bot.settings import EMULATOR_TOKEN, Settings
from emulator.server import start_emulator
from emulator.state import EmulatorState
from storage.uow import UnitOfWork

FIRST_USER = 10_000
CPYTHON_GC_THRESHOLDS = gc.get_threshold()  # as the interpreter started: (700, 10, 10)
SCENARIOS: dict[str, list[str]] = {
    "help": ["/help"],
    "read": ["/mijn"],
    "signal": ["/signaal", "ab 5B", "/annuleer"],
}


class TimedState(EmulatorState):
    """The emulator, telling the load generator when a bot message reaches a chat."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, asyncio.Future[float]] = {}

    def _publish_message(self, event_type: str, msg: Any) -> None:
        super()._publish_message(event_type, msg)
        future = self.waiting.pop(msg.chat_id, None) if msg.from_bot else None
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    async def say(self, user_id: int, text: str, timeout: float = 10.0) -> float | None:
        """Send `text` as `user_id`; seconds until the bot's next message in that chat (None: none)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[user_id] = future
        started = time.perf_counter()
        self.user_sends(user_id, text)
        try:
            return await asyncio.wait_for(future, timeout) - started
        except TimeoutError:
            self.waiting.pop(user_id, None)
            return None


def echo_dispatcher() -> Dispatcher:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


@asynccontextmanager
async def polling(dp: Dispatcher, bot: Bot) -> AsyncIterator[None]:
    started = asyncio.Event()
    dp.startup.register(started.set)
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=False)
    )
    await started.wait()
    try:
        yield
    finally:
        await dp.stop_polling()
        await task
        # Updates still in flight (an open-loop run that outpaced the bot) finish before the API goes.
        in_flight = getattr(dp, "_handle_update_tasks", set())
        await asyncio.gather(*in_flight, return_exceptions=True)


@asynccontextmanager
async def echo_bot() -> AsyncIterator[TimedState]:
    state = TimedState()
    emulator = await start_emulator(state, "127.0.0.1", 0)
    bot = Bot(EMULATOR_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
    try:
        async with polling(echo_dispatcher(), bot):
            yield state
    finally:
        await bot.session.close()
        await emulator.close()


@asynccontextmanager
async def full_bot(database_url: str, members: int) -> AsyncIterator[TimedState]:
    state = TimedState()
    emulator = await start_emulator(state, "127.0.0.1", 0)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_bot_token=None,
        secret_key="bench",
        data_dir=Path(tempfile.mkdtemp()) / "data",
        rate_limit_burst=1_000_000,
    )
    runtime = await prepare(settings, token=EMULATOR_TOKEN, api_base=emulator.base_url)
    now = datetime.now(UTC)
    async with UnitOfWork(runtime.sessionmaker) as uow:
        school = await uow.schools.add(name="Bench", kind="po", route_id=None, now=now)
        for n in range(members):
            member = await uow.members.add(
                telegram_user_id=FIRST_USER + n, display_name=f"Juf {n}", language="nl", now=now
            )
            await uow.members.add_roles(member, school.id, ["leerkracht"])
        await uow.commit()
    try:
        async with polling(runtime.dp, runtime.bot):
            yield state
    finally:
        await runtime.close()
        await emulator.close()


async def closed_loop(state: TimedState, members: int, seconds: float, script: list[str]) -> float:
    """Updates answered per second, each member sending as soon as their last update was answered."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def person(user_id: int) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            for text in script:
                if await state.say(user_id, text) is not None:
                    done += 1

    started = time.perf_counter()
    await asyncio.gather(*(person(FIRST_USER + n) for n in range(members)))
    return done / (time.perf_counter() - started)


async def open_loop(state: TimedState, members: int, seconds: float, rate: float) -> dict[str, float]:
    """/help offered at `rate` a second from random members (one at a time per member)."""
    latencies: list[float] = []
    lost = 0
    busy: set[int] = set()
    tasks: list[asyncio.Task[None]] = []

    async def one(user_id: int) -> None:
        nonlocal lost
        busy.add(user_id)
        took = await state.say(user_id, "/help")
        busy.discard(user_id)
        if took is None:
            lost += 1
        else:
            latencies.append(took)

    rng = random.Random(7)
    started = time.perf_counter()
    for k in range(int(seconds * rate)):
        await asyncio.sleep(max(0.0, started + k / rate - time.perf_counter()))
        free = [u for u in (FIRST_USER + rng.randrange(members) for _ in range(20)) if u not in busy]
        if free:
            tasks.append(asyncio.create_task(one(free[0])))
    await asyncio.gather(*tasks)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"p50_ms": round(q[49] * 1000, 1), "p99_ms": round(q[98] * 1000, 1), "lost": lost}


def as_bare_aiogram() -> None:
    """The process's garbage collector as a bare aiogram bot has it: CPython's default, every full
    collection walking the whole heap (a bare aiogram process holds 190,000 objects, 0.17 s a pass), the
    young generation collected every 700 allocations."""
    gc.unfreeze()
    gc.set_threshold(*CPYTHON_GC_THRESHOLDS)


def as_zorgroute() -> None:
    """... and as `zorgroute run` has it: what start-up built is frozen first, the young collected less
    often (bot/heap.py). Both bots live in this one process, so each run gets its own bot's setting;
    freezing for the echo too would raise its rate by about 60 % here (bench/README.md)."""
    freeze_startup_heap()


async def interleaved(
    run: Callable[[TimedState], Awaitable[float]], echo: TimedState, bot: TimedState, pairs: int
) -> dict[str, float]:
    echo_rates, bot_rates = [], []
    for _ in range(pairs):
        as_bare_aiogram()
        echo_rates.append(await run(echo))
        as_zorgroute()
        bot_rates.append(await run(bot))
    e, b = statistics.median(echo_rates), statistics.median(bot_rates)
    return {"echo_per_s": round(e, 1), "bot_per_s": round(b, 1), "ratio": round(b / e, 3) if e else 0.0}


async def measure(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with echo_bot() as echo, full_bot(database_url, args.members) as bot:
        for name in args.scenarios:
            script = SCENARIOS[name]

            async def run(state: TimedState, script: list[str] = script) -> float:
                return await closed_loop(state, args.members, args.seconds, script)

            out[name] = await interleaved(run, echo, bot, args.pairs)
            print(name, out[name], flush=True)
        as_zorgroute()
        latency = await open_loop(bot, args.members, args.seconds, args.rate)
        out["latency_at_rate"] = {"rate": args.rate, **latency}
        print("latency", out["latency_at_rate"], flush=True)
    return out


@asynccontextmanager
async def postgres_schema(base: str) -> AsyncIterator[str]:
    import asyncpg
    from sqlalchemy.engine import make_url

    schema = f"bench_{secrets.token_hex(4)}"
    dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}{'&' if '?' in base else '?'}search_path={schema}"
    finally:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"members": args.members, "seconds": args.seconds, "pairs": args.pairs}
    if "sqlite" in args.databases:
        print("sqlite", flush=True)
        result["sqlite"] = await measure(f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/throughput.db", args)
    base = os.environ.get("ZORGROUTE_TEST_POSTGRES_URL")
    if base and "postgresql" in args.databases:
        print("postgresql", flush=True)
        async with postgres_schema(base) as url:
            result["postgresql"] = await measure(url, args)
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiogram").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=100.0)
    databases = ["sqlite", "postgresql"]
    parser.add_argument("--databases", nargs="+", choices=databases, default=databases)
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
