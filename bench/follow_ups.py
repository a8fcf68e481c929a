"""Benchmark: 100,000 pending follow-ups.

Measures, on SQLite (and on PostgreSQL when ZORGROUTE_TEST_POSTGRES_URL is set, in a scratch schema):
- startup_s: building the runner and the scheduler until the first claim has run (nothing is loaded
  up front: the table is the source of truth, so start-up must not grow with it);
- memory_growth_mb: tracemalloc peak while claiming every row;
- claim_rows_per_s: claiming and marking rows fired (the database side of the runner), in batches;
- fire_rows_per_s: the full runner path on a sample of VOID timeouts (every row's case sits at another
  step, so each is marked fired without loading its case);
- fire_live_rows_per_s: the full runner path on LIVE timeouts, in a database of its own: --live-cases real
  Vlaardingen cases (built by the engine and stored by CaseService, as the bot does) wait at the consent
  step with their consent reminder due; `run_due()` fires every reminder through the engine, writing its
  timeline row and its outbox notification to the school's IB-er;
- max_lateness_s: rows fall due over 100 claim intervals; time is stepped one interval at a time and
  each step claims what is due. Lateness = step time - due time + the wall time the step took.

    .venv/bin/python bench/follow_ups.py [--rows 100000] [--live-cases 2000]

The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, update

from bot.follow_ups.runner import FollowUpRunner
from bot.heap import freeze_startup_heap
from bot.scheduler import CLAIM_EVERY, build_scheduler
from bot.services.actors import actor_at
from bot.services.cases import CaseService
from flows import inputs as inp
from flows.case import Case
from flows.clock import FrozenClock, SequentialIds
from flows.engine import Result, RouteEngine
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import CaseRow, FollowUpRow, OutboxRow, TimelineRow
from storage.uow import UnitOfWork

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
INTERVALS = 100  # the rows fall due over this many claim intervals
BATCH = 500
FIRE_SAMPLE = 2000
# Monday 23 November 2026, 09:00 in Amsterdam: the live cases reach the consent step; their reminders fall
# due three school days later, their escalations later still.
LIVE_T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LIVE_DUE = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SIGNAL = (
    inp.Answer("AB 5b"),
    inp.Choose("signaal", "area", "zorg"),
    inp.Toggle("signaal", "observations", "verzuim"),
    inp.Done("signaal", "observations"),
    inp.Done("signaal", "notes"),
    inp.Choose("signaal", "safety", "nee"),
    inp.Confirm("signaal"),
)
TO_CONSENT = (inp.Open("ib_beoordeling"), inp.Choose("ib_beoordeling", "decision", "extern"))


async def seed(url: str, rows: int) -> None:
    await upgrade(url)
    engine = create_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with UnitOfWork(sessionmaker) as uow:
        school = await uow.schools.add(name="Bench", kind="po", route_id="vlaardingen", now=T0)
        # One case that sits elsewhere: every timeout is void, so firing measures the runner, not messages.
        case = CaseRow(
            ref="Z-BENCH",
            school_id=school.id,
            route_id="vlaardingen",
            route_version=1,
            step="afgerond",
            status="open",
            priority="normal",
            created_at=T0,
            updated_at=T0,
            timezone="Europe/Amsterdam",
            state={},
            content="{}",
        )
        uow.session.add(case)
        await uow.session.flush()
        spread = timedelta(seconds=CLAIM_EVERY * INTERVALS) / rows
        for start in range(0, rows, 10_000):
            await uow.session.execute(
                insert(FollowUpRow),
                [
                    {
                        "case_id": case.id,
                        "step": "toestemming",
                        "follow_up": "consent_reminder",
                        "due_at": T0 + spread * (i + 1),
                        "status": "pending",
                        "attempts": 0,
                        "created_at": T0,
                    }
                    for i in range(start, min(rows, start + 10_000))
                ],
            )
        await uow.commit()
    await engine.dispose()


async def measure(url: str, rows: int) -> dict[str, Any]:
    await seed(url, rows)
    clock = FrozenClock(T0)
    tracemalloc.start()
    started = time.perf_counter()
    engine = create_engine(url)
    sessionmaker = make_sessionmaker(engine)
    runner = FollowUpRunner(
        sessionmaker, RouteEngine(builtin_registry()), clock, SequentialIds(), worker="bench", batch=BATCH
    )
    first_claim = asyncio.Event()
    run_due = runner.run_due

    async def observed() -> int:
        fired = await run_due()
        first_claim.set()
        return fired

    runner.run_due = observed  # type: ignore[method-assign]
    scheduler = build_scheduler(runner, timezone="Europe/Amsterdam")
    scheduler.start()
    await first_claim.wait()
    startup = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()

    # The full runner path on a sample: one unit of work per row, through the engine.
    clock.set(T0 + timedelta(seconds=CLAIM_EVERY * INTERVALS) * FIRE_SAMPLE / rows)
    began = time.perf_counter()
    fired = await run_due()
    fire_rate = fired / (time.perf_counter() - began)

    # The database side, interval by interval: claim what is due and mark it fired.
    claimed, lateness, claim_time = fired, 0.0, 0.0
    for step in range(1, INTERVALS + 1):
        clock.set(T0 + timedelta(seconds=CLAIM_EVERY * step))
        began = time.perf_counter()
        while True:
            async with UnitOfWork(sessionmaker) as uow:
                ids = await uow.follow_ups.claim(
                    worker="bench", now=clock.now(), lease=timedelta(seconds=60), limit=BATCH
                )
                if ids:
                    await uow.session.execute(
                        update(FollowUpRow)
                        .where(FollowUpRow.id.in_(ids))
                        .values(status="fired", fired_at=clock.now(), claimed_by=None, claimed_until=None)
                    )
                await uow.commit()
            if not ids:
                break
            claimed += len(ids)
        took = time.perf_counter() - began
        claim_time += took
        # The latest row of this step fell due just after the previous step.
        lateness = max(lateness, CLAIM_EVERY + took)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await engine.dispose()
    return {
        "rows": rows,
        "claimed": claimed,
        "startup_s": round(startup, 3),
        "memory_growth_mb": round((peak - base) / 2**20, 2),
        "claim_rows_per_s": round((claimed - fired) / claim_time),
        "fire_rows_per_s": round(fire_rate),
        "max_lateness_s": round(lateness, 2),
        "claim_interval_s": CLAIM_EVERY,
    }


async def seed_live(url: str, cases: int, route_engine: RouteEngine, ids: SequentialIds) -> None:
    """`cases` Vlaardingen cases at the consent step of one school with a teacher and an IB-er: each is
    carried through the engine in memory (a signal, the IB-er's decision) and stored by CaseService as the
    bot stores a case (its sealed content, participants, timeline, notifications and follow-ups)."""
    await upgrade(url)
    engine = create_engine(url)
    sessionmaker = make_sessionmaker(engine)
    clock = FrozenClock(LIVE_T0)
    async with UnitOfWork(sessionmaker) as uow:
        school = await uow.schools.add(name="Bench", kind="po", route_id="vlaardingen", now=LIVE_T0)
        people = {}
        for i, role in enumerate(("leerkracht", "ib", "directie")):
            member = await uow.members.add(
                telegram_user_id=9000 + i, display_name=role, language="nl", now=LIVE_T0
            )
            await uow.members.add_roles(member, school.id, [role])
            people[role] = member.id
        await uow.commit()
    for start in range(0, cases, 250):
        async with UnitOfWork(sessionmaker) as uow:
            teacher, ib = await uow.members.get(people["leerkracht"]), await uow.members.get(people["ib"])
            assert teacher is not None and ib is not None
            service = CaseService(uow, route_engine, clock, ids, "Europe/Amsterdam")
            for _ in range(start, min(cases, start + 250)):
                result = route_engine.start(
                    "vlaardingen", actor_at(teacher, school.id), ref=ids.case_ref(), now=LIVE_T0
                )
                assert isinstance(result, Result), result
                case: Case = result.case
                steps = [(teacher, given) for given in SIGNAL] + [(ib, given) for given in TO_CONSENT]
                for member, given in steps:
                    result = route_engine.advance(case, actor_at(member, school.id), given, LIVE_T0)
                    assert not result.refused, result.events
                    case = result.case
                # Stored as a new case: its whole timeline, and the last move's notifications and follow-ups.
                await service._persist(people["leerkracht"], None, result)
            await uow.commit()
    await engine.dispose()


async def measure_live(url: str, cases: int) -> dict[str, Any]:
    route_engine, ids = RouteEngine(builtin_registry()), SequentialIds()
    await seed_live(url, cases, route_engine, ids)
    engine = create_engine(url)
    sessionmaker = make_sessionmaker(engine)
    clock = FrozenClock(LIVE_DUE)
    runner = FollowUpRunner(sessionmaker, route_engine, clock, ids, worker="bench", batch=BATCH)
    async with UnitOfWork(sessionmaker) as uow:
        timeline = await uow.session.scalar(select(func.count()).select_from(TimelineRow))
        outbox = await uow.session.scalar(select(func.count()).select_from(OutboxRow))
    freeze_startup_heap()  # the runner runs in `zorgroute run`, whose collector is set up so (bot/heap.py)
    began = time.perf_counter()
    fired = await runner.run_due()
    took = time.perf_counter() - began
    async with UnitOfWork(sessionmaker) as uow:
        timeline = (await uow.session.scalar(select(func.count()).select_from(TimelineRow)) or 0) - (
            timeline or 0
        )
        outbox = (await uow.session.scalar(select(func.count()).select_from(OutboxRow)) or 0) - (outbox or 0)
    await engine.dispose()
    assert fired == cases, (fired, cases)
    return {
        "live_cases": cases,
        "fire_live_rows_per_s": round(fired / took),
        "fire_live_s": round(took, 3),
        "timeline_rows_written": timeline,
        "outbox_rows_written": outbox,
    }


async def in_schema(base: str, run: Callable[[str], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """`run` on a scratch schema of the PostgreSQL database at `base`, dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    schema = f"bench_{secrets.token_hex(4)}"
    dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        separator = "&" if "?" in base else "?"
        return await run(f"{base}{separator}search_path={schema}")
    finally:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


async def with_postgres(base: str, rows: int, live_cases: int) -> dict[str, Any]:
    result = await in_schema(base, lambda url: measure(url, rows)) if rows else {}
    if live_cases:
        result |= await in_schema(base, lambda url: measure_live(url, live_cases))
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="0: skip the void-row measures")
    parser.add_argument("--live-cases", type=int, default=2000, help="0: skip the live fire rate")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "targets": {
            "startup_s": 2.0,
            "memory_growth_mb": 50,
            "max_lateness_s": CLAIM_EVERY,
            "fire_live_rows_per_s": 1000,
        }
    }
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await measure(f"sqlite+aiosqlite:///{folder}/bench.db", args.rows) if args.rows else {}
        if args.live_cases:
            sqlite |= await measure_live(f"sqlite+aiosqlite:///{folder}/live.db", args.live_cases)
        result["sqlite"] = sqlite
        print(json.dumps({"sqlite": result["sqlite"]}), file=sys.stderr)
    postgres = os.environ.get("ZORGROUTE_TEST_POSTGRES_URL")
    if postgres:
        result["postgres"] = await with_postgres(postgres, args.rows, args.live_cases)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
