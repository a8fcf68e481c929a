"""Benchmark: 100,000 pending follow-ups.

Measures, on SQLite (and on PostgreSQL when ZORGROUTE_TEST_POSTGRES_URL is set, in a scratch schema):
- startup_s: building the runner and the scheduler until the first claim has run (nothing is loaded
  up front: the table is the source of truth, so start-up must not grow with it);
- memory_growth_mb: tracemalloc peak while claiming every row;
- claim_rows_per_s: claiming and marking rows fired (the database side of the runner), in batches;
- fire_rows_per_s: the full runner path (one unit of work per row through the engine) on a sample;
- max_lateness_s: rows fall due over 100 claim intervals; time is stepped one interval at a time and
  each step claims what is due. Lateness = step time - due time + the wall time the step took.

    .venv/bin/python bench/follow_ups.py [--rows 100000]

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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update

from bot.follow_ups.runner import FollowUpRunner
from bot.scheduler import CLAIM_EVERY, build_scheduler
from flows.clock import FrozenClock, SequentialIds
from flows.engine import RouteEngine
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import CaseRow, FollowUpRow
from storage.uow import UnitOfWork

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
INTERVALS = 100  # the rows fall due over this many claim intervals
BATCH = 500
FIRE_SAMPLE = 2000


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


async def with_postgres(base: str, rows: int) -> dict[str, Any]:
    import asyncpg
    from sqlalchemy.engine import make_url

    schema = f"bench_{secrets.token_hex(4)}"
    dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        separator = "&" if "?" in base else "?"
        return await measure(f"{base}{separator}search_path={schema}", rows)
    finally:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "targets": {"startup_s": 2.0, "memory_growth_mb": 50, "max_lateness_s": CLAIM_EVERY}
    }
    with tempfile.TemporaryDirectory() as folder:
        result["sqlite"] = await measure(f"sqlite+aiosqlite:///{folder}/bench.db", args.rows)
        print(json.dumps({"sqlite": result["sqlite"]}), file=sys.stderr)
    postgres = os.environ.get("ZORGROUTE_TEST_POSTGRES_URL")
    if postgres:
        result["postgres"] = await with_postgres(postgres, args.rows)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
