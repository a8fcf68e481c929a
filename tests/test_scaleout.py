"""Two webhook workers on one PostgreSQL database, in one test process: each its own runtime (engine,
dispatcher, limiters), both talking to one Bot API emulator. Any worker may get any update."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import sys
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, func, select, text

from bot.app import Runtime, prepare
from bot.middlewares.turns import record_handled
from bot.outbox.limiter import TelegramLimiter
from bot.runner import build_webhook_app
from bot.settings import EMULATOR_TOKEN, Settings
from emulator.server import start_emulator
from emulator.state import EmulatorState
from flows.clock import FrozenClock, SequentialIds
from storage.buckets import RedisBuckets, SharedBuckets
from storage.claims import take_chat_turn
from storage.db import create_engine
from storage.models import ProcessedUpdate, RateBucket
from storage.models.case import CaseRow
from storage.uow import UnitOfWork
from tests.cli import zorgroute
from tests.feeding import feed, teachers

SECRET = "s3cret"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
PATH = "/telegram/webhook"
REPOSITORY = str(Path(__file__).resolve().parents[1])  # the workers import this checkout's code


# Several workers share PostgreSQL (SQLite runs one worker; its refusal has its own test): these run on
# PostgreSQL only, rather than being skipped on SQLite every time.
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


class Workers:
    def __init__(self, state: EmulatorState, runtimes: list[Runtime], clients: list[TestClient]) -> None:
        self.state, self.runtimes, self.clients = state, runtimes, clients

    async def post(self, worker: int, update: dict[str, Any]) -> int:
        """Deliver an update to one worker as Telegram does: the answer comes when it is handled."""
        response = await self.clients[worker].post(PATH, json=update, headers=HEADERS)
        return response.status


@pytest.fixture
async def workers(settings: Settings, clock: FrozenClock) -> AsyncIterator[Workers]:
    async with two_workers(settings, clock) as running:
        yield running


@asynccontextmanager
async def two_workers(settings: Settings, clock: FrozenClock) -> AsyncIterator[Workers]:
    assert settings.database_url.startswith("postgresql"), "several workers share PostgreSQL"
    state = EmulatorState(now=clock.now)
    emulator = await start_emulator(state, "127.0.0.1", 0)
    configured = settings.model_copy(update={"webhook_secret": SECRET})
    runtimes: list[Runtime] = []
    clients: list[TestClient] = []
    try:
        for worker in range(2):
            ids = SequentialIds(counter=worker * 1000)  # two workers never make the same case reference
            runtime = await prepare(
                configured, clock=clock, ids=ids, token=EMULATOR_TOKEN, api_base=emulator.base_url
            )
            runtimes.append(runtime)
            client = TestClient(TestServer(build_webhook_app(runtime, handle_in_background=False)))
            await client.start_server()
            clients.append(client)
        yield Workers(state, runtimes, clients)
    finally:
        for client in clients:
            await client.close()
        for runtime in runtimes:
            await runtime.close()
        await emulator.close()


async def drafts(runtime: Runtime) -> int:
    async with UnitOfWork(runtime.sessionmaker) as uow:
        count = await uow.session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.status == "draft")
        )
    return int(count or 0)


@POSTGRES_ONLY
async def test_one_chats_updates_alternating_between_two_workers_keep_the_conversation(
    workers: Workers, clock: FrozenClock
) -> None:
    a, _ = workers.runtimes
    state = workers.state
    await teachers(a, state, clock, [701])
    texts = ["/signaal", "/annuleer", "/signaal", "/annuleer", "/signaal"]
    for n, text_ in enumerate(texts):  # worker 0, 1, 0, 1, 0; each answered before the next is sent
        assert await workers.post(n % 2, state.user_sends(701, text_)) == 200
    assert await drafts(a) == 1  # the last /signaal left its draft; each /annuleer dropped the one before
    async with UnitOfWork(a.sessionmaker) as uow:
        statuses = list(await uow.session.scalars(select(CaseRow.status).order_by(CaseRow.id)))
    assert statuses == ["cancelled", "cancelled", "draft"], statuses


@POSTGRES_ONLY
async def test_updates_of_one_chat_at_once_on_two_workers_take_turns(
    workers: Workers, clock: FrozenClock
) -> None:
    a, _ = workers.runtimes
    state = workers.state
    await teachers(a, state, clock, [702])
    await workers.post(0, state.user_sends(702, "/signaal"))  # the route's first case is behind us
    updates = [state.user_sends(702, "/signaal") for _ in range(6)]
    statuses = await asyncio.gather(*(workers.post(n % 2, u) for n, u in enumerate(updates)))
    assert statuses == [200] * 6
    assert await drafts(a) == 1  # each /signaal replaced the draft before it: none saw a stale form


@POSTGRES_ONLY
async def test_an_update_waits_while_another_worker_holds_its_chat(
    workers: Workers, clock: FrozenClock
) -> None:
    a, b = workers.runtimes
    state = workers.state
    await teachers(a, state, clock, [703])
    before = len(state.bot_messages(703))
    async with UnitOfWork(a.sessionmaker) as holder:
        await take_chat_turn(holder.session, ("chat", 703))  # worker A is in the middle of an update of 703
        waiting = asyncio.create_task(feed(b, state.user_sends(703, "/signaal")))
        await until_an_advisory_lock_is_awaited(holder)
        assert not waiting.done()
        assert len(state.bot_messages(703)) == before
        await holder.session.rollback()  # A's update ends: B's goes on
        await waiting
    assert len(state.bot_messages(703)) > before


@POSTGRES_ONLY
async def test_a_retry_that_waited_for_the_delivery_it_repeats_is_undone(
    workers: Workers, clock: FrozenClock
) -> None:
    """Telegram retried an update while its first delivery was still being handled: the retry waits for
    the chat's turn, and its check for a handled update saw the database from before the first one's
    commit. Its own record of the update then meets the first one's, and what it did is rolled back."""
    a, _ = workers.runtimes
    state = workers.state
    await teachers(a, state, clock, [706])
    update = state.user_sends(706, "/signaal")
    before = len(state.bot_messages(706))
    async with UnitOfWork(a.sessionmaker) as first:  # worker A, handling the update
        await take_chat_turn(first.session, ("chat", 706))
        retry = asyncio.create_task(workers.post(1, update))  # the retry, on worker B
        await until_an_advisory_lock_is_awaited(first)
        kept = [{"method": "SendMessage", "params": {"chat_id": 706, "text": "Kept"}}]
        assert await record_handled(first, update["update_id"], clock.now(), kept)
        await first.commit()
    assert await retry == 200
    assert [m.text for m in state.bot_messages(706)][before:] == ["Kept"]  # not B's own answer
    assert await drafts(a) == 0  # B's /signaal was undone


async def until_an_advisory_lock_is_awaited(uow: UnitOfWork) -> None:
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    async with uow.session.bind.connect() as connection:  # type: ignore[union-attr]
        for _ in range(2000):
            if await connection.scalar(query):
                return
            await asyncio.sleep(0.005)  # polling pg_locks: PostgreSQL has no event for "a lock is awaited"
    raise AssertionError("the second worker never waited for the chat")


@POSTGRES_ONLY
async def test_a_redelivered_update_is_handled_once_also_after_a_crash(
    workers: Workers, clock: FrozenClock
) -> None:
    a, _ = workers.runtimes
    state = workers.state
    await teachers(a, state, clock, [704])
    update = state.user_sends(704, "/signaal")
    async with UnitOfWork(a.sessionmaker) as crashed:  # worker A handled it and died before its commit
        assert await record_handled(crashed, update["update_id"], clock.now(), [])
        await crashed.session.rollback()
    before = len(state.bot_messages(704))

    assert await workers.post(1, update) == 200  # Telegram's retry reaches worker B: handled
    handled = len(state.bot_messages(704))
    assert handled > before
    assert await workers.post(0, update) == 200  # and once more (the answer was lost): dropped
    assert len(state.bot_messages(704)) == handled
    async with UnitOfWork(a.sessionmaker) as uow:
        assert await uow.session.get(ProcessedUpdate, update["update_id"]) is not None


@POSTGRES_ONLY
async def test_one_users_flood_is_limited_for_the_whole_bot(settings: Settings, clock: FrozenClock) -> None:
    limited = settings.model_copy(update={"rate_limit_burst": 3, "rate_limit_seconds": 3600.0})
    async with two_workers(limited, clock) as running:
        state = running.state
        for n in range(6):  # a stranger's six messages, spread over both workers
            assert await running.post(n % 2, state.user_sends(801, f"bericht {n}")) == 200
        texts = [m.text for m in state.bot_messages(801)]
    answered = [t for t in texts if t.startswith("Hallo! Zorgroute is alleen voor professionals")]
    assert len(answered) == 3  # the burst, once for the bot: not three per worker
    assert len(texts) - len(answered) >= 1  # and a "slow down" (once per worker that refused)


@POSTGRES_ONLY
async def test_a_polled_update_takes_no_chat_lock_and_no_shared_token(
    settings: Settings, clock: FrozenClock
) -> None:
    """Long polling has one receiver (Telegram answers a second getUpdates with 409): its own lanes and
    buckets hold for the whole bot, so a polled update asks the database for neither; the webhook's does."""
    state = EmulatorState(now=clock.now)
    async with await start_emulator(state, "127.0.0.1", 0) as emulator:
        runtime = await prepare(
            settings.model_copy(update={"webhook_secret": SECRET}),
            clock=clock,
            token=EMULATOR_TOKEN,
            api_base=emulator.base_url,
        )
        try:
            await teachers(runtime, state, clock, [811, 812])
            statements: list[str] = []
            event.listen(
                runtime.db_engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
            )
            await feed(runtime, state.user_sends(811, "/help"))  # as polling hands it over
            polled, statements[:] = list(statements), []
            async with TestClient(
                TestServer(build_webhook_app(runtime, handle_in_background=False))
            ) as client:
                response = await client.post(PATH, json=state.user_sends(812, "/help"), headers=HEADERS)
            through_webhook = list(statements)
        finally:
            await runtime.close()
    assert response.status == 200
    assert "/signaal" in (state.last_bot_message(811).text or "")  # answered all the same
    assert not [s for s in polled if "pg_advisory_xact_lock" in s or "rate_bucket" in s], polled
    assert [s for s in through_webhook if "pg_advisory_xact_lock" in s]
    assert [s for s in through_webhook if "rate_bucket" in s]


def worker_pids(parent: int) -> list[int]:
    """The worker processes of `zorgroute run --workers`: forked, so with their parent's command line."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    command = Path(f"/proc/{parent}/cmdline").read_bytes()
    return [int(pid) for pid in children if Path(f"/proc/{pid}/cmdline").read_bytes() == command]


async def ready_lines(process: asyncio.subprocess.Process, count: int) -> None:
    """Read the workers' log until `count` more of them said they are ready."""
    assert process.stderr is not None
    while count:
        line = (await asyncio.wait_for(process.stderr.readline(), timeout=120)).decode()
        assert line, "the workers stopped before they were ready"
        count -= "zorgroute is ready" in line


class Stop(Exception):
    pass


@POSTGRES_ONLY
async def test_workers_share_telegrams_send_budget(settings: Settings) -> None:
    assert settings.database_url.startswith("postgresql"), "several workers share PostgreSQL"
    engines = [create_engine(settings.database_url) for _ in range(2)]
    try:
        a, b = (SharedBuckets(engine) for engine in engines)
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            raise Stop  # the send would wait: that is all this test needs to know

        # Three sends a minute overall at most, so the test's own pace never refills a token.
        limiter_a, limiter_b = (
            TelegramLimiter(
                global_per_second=0.05,
                global_burst=3.0,
                private_per_second=0.01,
                private_burst=1.0,
                shared=shared,
                sleep=sleep,
            )
            for shared in (a, b)
        )
        await limiter_a.acquire(11)
        await limiter_a.acquire(12)
        await limiter_b.acquire(13)  # the budget's last token, taken by the other worker
        with pytest.raises(Stop):
            await limiter_b.acquire(14)
        with pytest.raises(Stop):
            await limiter_a.acquire(15)
        assert len(waits) == 2 and min(waits) > 1  # seconds until the shared bucket refills one token
        # Held back by the overall budget, chat 14 kept its own token: one private send is still free.
        assert await a.take("tg:chat:14", 1.0, 0.01) == 0.0
        assert await a.take("tg:chat:14", 1.0, 0.01) > 0  # and that was its only one
    finally:
        for engine in engines:
            await engine.dispose()


@POSTGRES_ONLY
async def test_taking_a_token_does_not_wait_for_the_disk(settings: Settings) -> None:
    """Every update takes from its sender's bucket; a logged table made each take wait for a WAL sync
    (half of the backends' WAL waits in bench/scaleout.py). Unlogged, a take commits without one, and a
    bucket lost in a crash comes back full (migration 0012)."""
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            persistence = await connection.scalar(
                text("SELECT relpersistence::text FROM pg_class WHERE oid = to_regclass('rate_bucket')")
            )
        assert persistence == "u"
        assert await SharedBuckets(engine).take("abuse:1", 2.0, 1.0) == 0.0  # and it still takes
    finally:
        await engine.dispose()


async def test_several_workers_on_sqlite_are_refused_in_one_line(tmp_path: Path, clock: FrozenClock) -> None:
    result = await zorgroute(
        "run",
        "--webhook",
        "--workers",
        "2",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
        cwd=tmp_path,
        clock=clock,
        TELEGRAM_BOT_TOKEN="123456:" + "A" * 35,
        ZORGROUTE_WEBHOOK_SECRET=SECRET,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "zorgroute: error: --workers 2 needs PostgreSQL: SQLite has one writer, so run one worker"
    )


@POSTGRES_ONLY
async def test_run_webhook_with_two_workers_serves_one_port_and_stops_on_sigterm(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    """The one real `zorgroute run --webhook --workers 2`: two processes behind one port."""
    assert settings.database_url.startswith("postgresql"), "several workers share PostgreSQL"
    state = EmulatorState(now=clock.now)
    emulator = await start_emulator(state, "127.0.0.1", 0)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("ZORGROUTE_", "TELEGRAM_"))
    }
    environment.update(
        PYTHONPATH=REPOSITORY,
        ZORGROUTE_DATABASE_URL=settings.database_url,
        ZORGROUTE_SECRET_KEY="test-secret-key",
        ZORGROUTE_WEBHOOK_SECRET=SECRET,
        TELEGRAM_BOT_TOKEN=EMULATOR_TOKEN,
        TELEGRAM_API_BASE=emulator.base_url,
    )
    command = ["-m", "bot.cli", "run", "--webhook", "--workers", "2", "--host", "127.0.0.1"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *command, "--port", str(port), cwd=tmp_path, env=environment, stderr=PIPE
    )
    try:
        assert process.stderr is not None
        await ready_lines(process, 2)  # each worker logs its own "ready" line
        workers = worker_pids(process.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)  # a worker dies ...
        await ready_lines(process, 1)  # and is started again
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            readiness = await http.get("/readyz")
            assert readiness.status == 200
            for n in range(4):
                answer = await http.post(PATH, json=state.user_sends(811 + n, "hallo"), headers=HEADERS)
                assert answer.status == 200
        assert all(state.bot_messages(811 + n) for n in range(4))  # answered when handled
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=60) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await emulator.close()


REDIS_ENV = "ZORGROUTE_TEST_REDIS_URL"


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} not set: the Redis buckets need a server")
    return url


@POSTGRES_ONLY
async def test_workers_share_buckets_in_redis(settings: Settings) -> None:
    prefix = f"zorgroute-test:{secrets.token_hex(6)}:"  # this test's own keys on a shared server
    a, b = RedisBuckets(redis_url(), prefix=prefix), RedisBuckets(redis_url(), prefix=prefix)
    try:
        rate = 3 / 3600  # three an hour: the test's own pace never refills one
        assert [await a.take("user:1", 3, rate), await b.take("user:1", 3, rate)] == [0.0, 0.0]
        assert await a.take("user:1", 3, rate) == 0.0
        assert await b.take("user:1", 3, rate) > 1000  # the other worker emptied it: about 20 minutes
        assert await a.take("user:2", 3, rate) == 0.0  # another user's bucket is full
        await b.give_back("user:1", 3)
        assert await a.take("user:1", 3, rate) == 0.0
    finally:
        await a.close()
        await b.close()


@POSTGRES_ONLY
async def test_takes_beyond_the_redis_pool_wait_for_a_connection(settings: Settings) -> None:
    """A worker that took over a killed one's chats had hundreds of updates in flight; redis-py's default
    pool raised "Too many connections" at the 100th concurrent command, and each of those updates failed
    (bench/scaleout.py --redis)."""
    buckets = RedisBuckets(redis_url(), prefix=f"zorgroute-test:{secrets.token_hex(6)}:")
    try:
        waits = await asyncio.gather(*(buckets.take(f"user:{n}", 3, 1.0) for n in range(300)))
        assert waits == [0.0] * 300
    finally:
        await buckets.close()


@POSTGRES_ONLY
async def test_with_redis_the_flood_limit_holds_across_workers_without_the_database(
    settings: Settings, clock: FrozenClock
) -> None:
    limited = settings.model_copy(
        update={"rate_limit_burst": 3, "rate_limit_seconds": 3600.0, "redis_url": redis_url()}
    )
    stranger = 5_000_000 + secrets.randbelow(10**6)  # a user no earlier run left a bucket for
    async with two_workers(limited, clock) as running:
        for n in range(6):
            assert await running.post(n % 2, running.state.user_sends(stranger, f"bericht {n}")) == 200
        texts = [m.text for m in running.state.bot_messages(stranger)]
        async with UnitOfWork(running.runtimes[0].sessionmaker) as uow:
            rows = await uow.session.scalar(select(func.count()).select_from(RateBucket))
    answered = [t for t in texts if t.startswith("Hallo! Zorgroute is alleen voor professionals")]
    assert len(answered) == 3
    assert rows == 0  # the limits lived in Redis


@POSTGRES_ONLY
async def test_replies_lost_with_a_killed_worker_are_sent_by_the_retry(
    workers: Workers, clock: FrozenClock
) -> None:
    a, _ = workers.runtimes
    state = workers.state
    update = state.user_sends(705, "hallo")  # a stranger's message, answered with the welcome
    assert await workers.post(0, update) == 200
    [welcome] = [m.text for m in state.bot_messages(705)]
    async with UnitOfWork(a.sessionmaker) as uow:  # kept with the update until they left, then forgotten
        assert await uow.job_runs.replies_of(update["update_id"]) is None

    # Worker A handled the next one and committed, then died before its reply left.
    again = state.user_sends(705, "hallo?")
    async with UnitOfWork(a.sessionmaker) as crashed:
        kept = [{"method": "SendMessage", "params": {"chat_id": 705, "text": "Kept"}}]
        assert await record_handled(crashed, again["update_id"], clock.now(), kept)
        await crashed.commit()
    assert await workers.post(1, again) == 200  # Telegram's retry, on worker B
    assert [m.text for m in state.bot_messages(705)] == [welcome, "Kept"]  # sent, not handled again
    assert await workers.post(0, again) == 200  # a third delivery
    assert [m.text for m in state.bot_messages(705)] == [welcome, "Kept"]  # sends nothing twice
