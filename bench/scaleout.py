"""Scale-out: 1 and 2 webhook workers (`zorgroute run --webhook`, real processes) on one PostgreSQL
database, behind a small round-robin dispatcher (no chat affinity) that plays Telegram:

- it sends a chat's updates one at a time, the next only after the previous one was answered (Telegram's
  Bot API server keeps a queue per chat), each to the next worker in turn, whatever the chat;
- people type at most one message a second (`--pace`), so the replies stay within Telegram's per-chat
  limit, which the loopback Bot API enforces (429 + retry_after);
- a post that fails (the worker died) is sent again to the next worker, as Telegram retries.

Runs, interleaved so a busy machine slows both alike: 1 worker, 2 workers, × `--pairs`; each `--chats`
chats doing a /signaal conversation (/signaal, a pupil label, /annuleer) for `--seconds`. Updates a second
and cores are counted from one `--pace` in (everyone has started) to the end of `--seconds`; the
conversations still open then are finished and checked, not counted. Then a run
on 2 workers in which one is killed with SIGKILL half way. Then the send budget: 2 fresh workers drain
`--notifications` queued notifications together while the emulator enforces all of Telegram's limits
(30/s overall, 1/s per chat).

Checked per chat after each run: the bot's replies are exactly the replies of one warm-up conversation,
once per conversation done (out of order or lost updates change them: "broken"), and no update was
handled twice (an extra reply or an extra case: "duplicates").

    ZORGROUTE_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/scaleout.py [--chats 150] [--seconds 8] [--pairs 2]

The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import socket
import sys
import time
from asyncio.subprocess import PIPE, Process
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.fernet import Fernet
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import EMULATOR_TOKEN
from emulator import EmulatorState, FaultPlan, start_emulator
from emulator.models import Person
from storage.crypto import FernetCipher
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import CaseRow, Member, MemberRole
from storage.uow import UnitOfWork
from tests.databases import postgres_schema

REPOSITORY = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"
PATH = "/telegram/webhook"
SCRIPT = ["/signaal", "ab 5B", "/annuleer"]
FIRST_USER = 100_000
FIRST_FANOUT = 900_000
DATA_KEY = Fernet.generate_key()


class CountingState(EmulatorState):
    """The emulator, telling the bench when the bot has sent `target` messages."""

    def __init__(self) -> None:
        super().__init__()
        self.bot_sent = 0
        self.sent_at: list[float] = []
        self.target: tuple[int, asyncio.Event] | None = None

    def _publish_message(self, event_type: str, msg: Any) -> None:
        super()._publish_message(event_type, msg)
        if msg.from_bot and event_type == "message":
            self.bot_sent += 1
            self.sent_at.append(time.perf_counter())
            if self.target is not None and self.bot_sent >= self.target[0]:
                self.target[1].set()

    def when_sent(self, more: int) -> asyncio.Event:
        event = asyncio.Event()
        self.target = (self.bot_sent + more, event)
        return event


class Worker:
    """One `zorgroute run --webhook` process on its own port."""

    def __init__(self, database_url: str, api_base: str, redis_url: str | None = None) -> None:
        self.database_url, self.api_base, self.redis_url = database_url, api_base, redis_url
        self.process: Process | None = None
        self.port = 0
        self.errors = 0
        self._drain: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("ZORGROUTE_", "TELEGRAM_"))}
        environment.update(
            PYTHONPATH=str(REPOSITORY),
            ZORGROUTE_DATABASE_URL=self.database_url,
            ZORGROUTE_SECRET_KEY="bench",
            ZORGROUTE_DATA_KEY=DATA_KEY.decode(),
            ZORGROUTE_WEBHOOK_SECRET=SECRET,
            TELEGRAM_BOT_TOKEN=EMULATOR_TOKEN,
            TELEGRAM_API_BASE=self.api_base,
        )
        if self.redis_url:  # the shared limits in Redis instead of PostgreSQL
            environment["ZORGROUTE_REDIS_URL"] = self.redis_url
        command = [sys.executable, "-m", "bot.cli", "run", "--webhook", "--host", "127.0.0.1"]
        self.process = await asyncio.create_subprocess_exec(
            *command, "--port", str(self.port), env=environment, stderr=PIPE
        )
        assert self.process.stderr is not None
        while True:
            line = (await asyncio.wait_for(self.process.stderr.readline(), 120)).decode()
            if not line:
                raise RuntimeError("a worker stopped before it was ready")
            if "zorgroute is ready" in line:
                break
        self._drain = asyncio.create_task(self._read_log())

    async def _read_log(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            if b" ERROR " in line or b"Traceback" in line:
                self.errors += 1

    def kill(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.kill()

    async def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
        if self.process is not None:
            await self.process.wait()
        if self._drain is not None:
            await self._drain


class RoundRobin:
    """Telegram in front of the workers: each post to the next live worker; a failed post goes again."""

    def __init__(self, http: aiohttp.ClientSession, workers: list[Worker]) -> None:
        self.http, self.workers = http, workers
        self._turn = itertools.count()
        self.retries = 0

    async def post(self, update: dict[str, Any]) -> None:
        for _attempt in range(20):
            live = [w for w in self.workers if w.alive]
            worker = live[next(self._turn) % len(live)]
            try:
                async with self.http.post(
                    worker.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                ) as response:
                    await response.read()  # read to the end, or the connection is closed, not reused
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, ConnectionError):
                pass
            self.retries += 1
        raise RuntimeError(f"update {update['update_id']} was never answered")


def cpu_seconds(workers: list[Worker]) -> list[float]:
    """CPU seconds used so far by each worker process (Linux /proc), by this process (the emulator and the
    dispatcher), by the database server's processes and by Redis's on this machine: what a run had of its
    cores."""
    ticks = os.sysconf("SC_CLK_TCK")
    own = os.times()
    servers = _server_seconds(ticks, ("postgres", "redis-server"))
    return [*_worker_seconds(workers, ticks), own.user + own.system, *servers]


def _worker_seconds(workers: list[Worker], ticks: int) -> list[float]:
    used = []
    for worker in workers:
        try:
            assert worker.process is not None
            fields = Path(f"/proc/{worker.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            used.append((int(fields[11]) + int(fields[12])) / ticks)  # utime + stime
        except (OSError, AssertionError):
            used.append(0.0)
    return used


async def settled(workers: list[Worker], window: float = 0.5) -> None:
    """Wait until the workers are idle: under 5 % of a core each over `window` seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    before = _worker_seconds(workers, ticks)
    while True:
        await asyncio.sleep(window)
        after = _worker_seconds(workers, ticks)
        if all(b - a < 0.05 * window for a, b in zip(before, after, strict=True)):
            return
        before = after


def _server_seconds(ticks: int, commands: tuple[str, ...]) -> list[float]:
    """CPU seconds of the running processes named each of `commands`, in one pass over /proc (a PostgreSQL
    backend that ended in between is not counted: the workers keep theirs open in their pools)."""
    totals = dict.fromkeys(commands, 0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            comm, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, IndexError, ValueError):
            continue
        if comm in totals:
            fields = rest.split()
            totals[comm] += int(fields[11]) + int(fields[12])
    return [totals[command] / ticks for command in commands]


def normalise(text: str) -> str:
    """A reply without what differs between conversations: the case reference and numbers."""
    return re.sub(r"\d+", "#", re.sub(r"Z-[A-Z0-9]+", "Z-REF", text))


async def conversations(
    state: EmulatorState,
    front: RoundRobin,
    users: list[int],
    seconds: float,
    pace: float,
    workers: list[Worker] | None = None,
) -> tuple[float, dict[int, int], list[float]]:
    """Every user runs whole conversations until `seconds` have passed: (updates a second, cycles, cores
    used by each process of `cpu_seconds`).

    Rate and cores are those of the steady part: from one `pace` in (everyone has started) to the deadline.
    The conversations still open at the deadline are finished, and checked, but not counted: fewer and
    fewer people are talking then, and that tail, longer or shorter with the latency, would count as a
    slowness of the workers."""
    began = time.perf_counter()
    deadline, steady = began + seconds, began + min(pace, seconds)
    cycles: dict[int, int] = dict.fromkeys(users, 0)
    counted = 0

    async def person(user: int) -> None:
        nonlocal counted
        await asyncio.sleep(pace * (user % 50) / 50)  # people do not all start in the same instant
        while True:  # at least one conversation each
            for text in SCRIPT:
                sent = time.perf_counter()
                await front.post(state.user_sends(user, text))
                counted += steady <= time.perf_counter() < deadline
                await asyncio.sleep(max(0.0, sent + pace - time.perf_counter()))
            cycles[user] += 1
            if time.perf_counter() >= deadline:
                return

    async def measure() -> tuple[float, list[float]]:
        await asyncio.sleep(steady - time.perf_counter())
        at, cpu = time.perf_counter(), cpu_seconds(workers or [])
        await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
        took = time.perf_counter() - at
        used = [  # a killed worker's counters are gone: it counts as 0
            round(max(0.0, after - before) / took, 2)
            for before, after in zip(cpu, cpu_seconds(workers or []), strict=True)
        ]
        return took, used

    window = asyncio.ensure_future(measure())
    await asyncio.gather(*(person(u) for u in users))
    took, used = await window
    return counted / max(took, 1e-9), cycles, used


async def check(
    state: EmulatorState, sessionmaker: Any, expected: list[str], cycles: dict[int, int]
) -> tuple[int, int]:
    """(broken conversations, duplicates) of these users."""
    async with UnitOfWork(sessionmaker) as uow:
        rows = await uow.session.execute(
            select(Member.telegram_user_id, func.count(CaseRow.id))
            .join(CaseRow, CaseRow.created_by == Member.id)
            .where(Member.telegram_user_id.in_(list(cycles)))
            .group_by(Member.telegram_user_id)
        )
        cases = {user: count for user, count in rows.all()}
    broken = duplicates = 0
    for user, done in cycles.items():
        replies = [normalise(m.text or "") for m in state.bot_messages(user)]
        if replies != expected * done:
            if not broken:
                print(f"chat {user}, {done} conversations: {replies[:6]} != {expected[:3]} …")
            broken += 1
        duplicates += max(0, len(replies) - len(expected) * done) + max(0, cases.get(user, 0) - done)
    return broken, duplicates


async def seed(sessionmaker: Any, chat_users: list[int], fanout_users: list[int]) -> None:
    now = datetime.now(UTC)
    async with UnitOfWork(sessionmaker) as uow:
        school = await uow.schools.add(name="Bench", kind="po", route_id=None, now=now)
        uow.session.add_all(
            Member(
                telegram_user_id=user,
                sealed_name=uow.members.seal_name(f"Juf {user}"),
                language="nl",
                created_at=now,
                roles=[MemberRole(school_id=school.id, role="leerkracht" if user < FIRST_FANOUT else "ib")],
            )
            for user in [*chat_users, *fanout_users]
        )
        await uow.commit()


async def queue_notifications(sessionmaker: Any, fanout_users: list[int]) -> None:
    now = datetime.now(UTC) - timedelta(seconds=1)
    async with UnitOfWork(sessionmaker) as uow:
        school_id = (await uow.schools.list())[0].id
        for user in fanout_users:
            member = await uow.members.by_telegram_id(user)
            assert member is not None
            await uow.outbox.add(
                key=f"bench:{user}",
                member_id=member.id,
                channel="telegram",
                kind="notify",
                now=now,
                urgent=True,  # past any quiet hours: the bench runs at any time of day
                payload={
                    "message": "vlaardingen.notify.closed",
                    "case_ref": f"Z-{user}",
                    "school_id": school_id,
                    "pupil": "AB 5b",
                    "step": None,
                    "actions": [],
                    "urgent": True,
                },
            )
        await uow.commit()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    base = os.environ.get("ZORGROUTE_TEST_POSTGRES_URL")
    if not base:
        raise SystemExit("set ZORGROUTE_TEST_POSTGRES_URL: the workers share PostgreSQL")
    runs = ["1", "2"] * args.pairs + ["kill"]
    users = [[FIRST_USER + 10_000 * n + k for k in range(args.chats)] for n in range(len(runs))]  # per run
    warm_up = [FIRST_USER - 1, FIRST_USER - 2]  # one per worker
    fanout = [FIRST_FANOUT + k for k in range(args.notifications)]
    async with postgres_schema(base, None) as database_url:
        await upgrade(database_url)
        engine = create_engine(database_url)
        sessionmaker = make_sessionmaker(engine, FernetCipher([DATA_KEY]))
        await seed(sessionmaker, [*warm_up, *itertools.chain(*users)], fanout)
        state = CountingState()
        # Telegram's per-chat limits; its 30/s overall is for bulk notifications and is enforced below,
        # where the workers send those (replies to people who wrote pass it at this pace of theirs).
        state.inject_faults(FaultPlan(enforce_limits=True, global_per_second=1_000_000))
        emulator = await start_emulator(state, "127.0.0.1", 0)
        workers = [Worker(database_url, emulator.base_url, args.redis) for _ in range(2)]
        await asyncio.gather(*(w.start() for w in workers))
        connector = aiohttp.TCPConnector(limit=0)
        results: dict[str, Any] = {"runs": []}
        try:
            async with aiohttp.ClientSession(connector=connector) as http:
                for worker, user in zip(workers, warm_up, strict=True):
                    await conversations(state, RoundRobin(http, [worker]), [user], 0.001, 0.0)
                # A worker loads its name guard in the background after it is ready (free text waits
                # for it): seconds of a core that must not fall into the first 1-worker run.
                await settled(workers)
                expected = [normalise(m.text or "") for m in state.bot_messages(warm_up[0])]
                print(f"warm-up: {len(expected)} replies per conversation")
                rates: dict[str, list[float]] = {"1": [], "2": []}
                cores: dict[str, list[float]] = {"1": [], "2": []}
                broken = duplicates = 0
                for n, run in enumerate(runs):
                    front = RoundRobin(http, workers if run != "1" else workers[:1])
                    if run == "kill":
                        asyncio.get_running_loop().call_later(args.seconds / 2, workers[1].kill)
                    rate, cycles, used = await conversations(
                        state, front, users[n], args.seconds, args.pace, workers
                    )
                    b, d = await check(state, sessionmaker, expected, cycles)
                    broken, duplicates = broken + b, duplicates + d
                    if run in rates:
                        rates[run].append(rate)
                        cores[run].append(sum(used[:2]))
                    print(
                        f"{run} worker(s): {rate:.1f} updates/s, {sum(cycles.values())} conversations, "
                        f"broken {b}, duplicates {d}, posts sent again {front.retries}; "
                        f"cores used by [worker A, worker B, this process, PostgreSQL, Redis]: {used}"
                    )
                    results["runs"].append(
                        {"workers": run, "updates_per_s": round(rate, 1), "broken": b, "cores": used}
                    )
            phase_one_429 = state.stats().too_many_requests
            await asyncio.gather(*(w.stop() for w in workers))

            # The send budget: two fresh workers drain the queued notifications together.
            state.set_roster([Person(u, f"Lid {u}", ["ib"], "Bench", "nl") for u in fanout])
            await queue_notifications(sessionmaker, fanout)
            state.inject_faults(FaultPlan(enforce_limits=True))
            sent_before, first = state.stats().sent, state.bot_sent
            all_sent = state.when_sent(args.notifications)
            fanout_workers = [Worker(database_url, emulator.base_url, args.redis) for _ in range(2)]
            await asyncio.gather(*(w.start() for w in fanout_workers))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_sent.wait(), 30 + args.notifications / 20)
            times = state.sent_at[first:]  # from the first notification to the last
            seconds = times[-1] - times[0] if len(times) > 1 else 0.0
            fanout_sent = state.stats().sent - sent_before
            fanout_429 = state.stats().too_many_requests
            await asyncio.gather(*(w.stop() for w in fanout_workers))
        finally:
            for worker in workers:
                worker.kill()
            await emulator.close()
            await engine.dispose()
    one, two = sum(rates["1"]) / len(rates["1"]), sum(rates["2"]) / len(rates["2"])
    received = Counter(
        m.chat_id for u in fanout for m in state.bot_messages(u)
    )  # a notification delivered twice would show here
    print(
        f"send budget: {fanout_sent} notifications by 2 workers in {seconds:.1f} s "
        f"({(fanout_sent - 1) / max(seconds, 1e-9):.1f}/s), "
        f"429s {fanout_429}, chats with two {sum(1 for n in received.values() if n > 1)}"
    )
    results.update(
        throughput_1=round(one, 1),
        throughput_2=round(two, 1),
        ratio=round(two / one, 3),
        # Updates per second of worker CPU, 2 workers over 1: below 1 by what sharing costs each worker
        # (locks waited on, shared buckets); the throughput ratio can only exceed it when the machine
        # has the second core to give.
        per_core_ratio=round((sum(rates["2"]) / sum(cores["2"])) / (sum(rates["1"]) / sum(cores["1"])), 3),
        broken_conversations=broken,
        duplicates=duplicates + sum(n - 1 for n in received.values() if n > 1),
        too_many_requests=fanout_429,
        too_many_requests_replies=phase_one_429,
        notifications_sent=fanout_sent,
        notifications_seconds=round(seconds, 2),
        notifications_per_s=round((fanout_sent - 1) / max(seconds, 1e-9), 1),
        worker_errors=sum(w.errors for w in [*workers, *fanout_workers]),
        chats=args.chats,
        pace_s=args.pace,
        shared_limits="redis" if args.redis else "postgresql",
        cpus=os.cpu_count(),
        load_average=round(os.getloadavg()[0], 2),
    )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=150, help="chats talking at once in each run")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each run")
    parser.add_argument("--pairs", type=int, default=2, help="(1 worker, 2 workers) runs, interleaved")
    parser.add_argument("--pace", type=float, default=1.05, help="seconds between one person's messages")
    parser.add_argument("--notifications", type=int, default=150, help="queued for the send-budget run")
    parser.add_argument("--redis", help="a Redis URL: the workers keep the shared limits there")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
