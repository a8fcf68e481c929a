"""Benchmark: the route report over 100,000 cases at 200 schools.

Seeds, on SQLite (and on PostgreSQL when ZORGROUTE_TEST_POSTGRES_URL is set, in a scratch schema), 200
schools on the Vlaardingen route, counted on `--regions` calendar regions (default 1, the worst case: a
region report over every case), with 100,000 signalled cases that moved 1 to 7 steps along the route over
the school year 2026-27 (about 4 timeline moves each), and a pending follow-up on each open case. Then
measures the wall time of `route_report` (SQL aggregates + counting school days) for:
- region_report_s: the first region (every case with --regions 1), the median of 3 runs;
- school_report_s: one school (500 cases).

    .venv/bin/python bench/report.py [--cases 100000] [--schools 200] [--regions 1]

The last line is a JSON object; the target is region_report_s < 2 on both databases.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from bot.services.report import ReportRequest, route_report
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import CaseRow, FollowUpRow, School, TimelineRow
from storage.repositories.cases import backfill_first_moves
from storage.uow import UnitOfWork

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
START = datetime(2026, 9, 1, 7, 0, tzinfo=UTC)
REGIONS = ("vlaardingen", "schiedam", "maassluis", "rotterdam", "capelle-aan-den-ijssel", "noord", "midden")
PATH = ("signaal", "ib_beoordeling", "toestemming", "vot_lijst", "gs_check", "gs_contact", "gs_resultaat")
CHUNK = 5_000


def _case(rng: random.Random, n: int, school_id: int) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    created = START + timedelta(minutes=rng.randrange(0, 200 * 24 * 60))
    moves = rng.randint(1, len(PATH))
    at, timeline = created, []
    for k in range(moves):
        at += timedelta(hours=rng.randrange(1, 24 * 12))
        to = PATH[k + 1] if k + 1 < len(PATH) else "afgerond"
        timeline.append({"seq": k, "at": at, "step": PATH[k], "to_step": to})
    closed = timeline[-1]["to_step"] == "afgerond"
    flags = ["safety"] if rng.random() < 0.05 else []
    consent = {"status": rng.choice(("given", "given", "refused", "unreachable"))} if moves >= 3 else None
    row = {
        "ref": f"B-{n:06d}",
        "school_id": school_id,
        "route_id": "vlaardingen",
        "route_version": 1,
        "step": timeline[-1]["to_step"],
        "status": "closed" if closed else "open",
        "priority": "normal",
        "created_at": created,
        "updated_at": at,
        "closed_at": at if closed else None,
        "step_entered_at": at,
        "timezone": "Europe/Amsterdam",
        "state": {"flags": flags, "consent": consent, "outcome": "afgerond" if closed else None},
        "content": "{}",
    }
    return row, timeline, not closed


async def seed(url: str, cases: int, schools: int, regions: int) -> list[int]:
    await upgrade(url)
    engine = create_engine(url)
    rng = random.Random(18)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        await uow.session.execute(
            insert(School),
            [
                {
                    "name": f"School {i}",
                    "kind": "po",
                    "route_id": "vlaardingen",
                    "calendar_region": REGIONS[i % regions],
                    "created_at": START,
                }
                for i in range(schools)
            ],
        )
        school_ids = list(await uow.session.scalars(select(School.id).order_by(School.id)))
        for first in range(0, cases, CHUNK):
            made = [_case(rng, n, school_ids[n % schools]) for n in range(first, min(first + CHUNK, cases))]
            await uow.session.execute(insert(CaseRow), [row for row, _, _ in made])
            ids = list(
                await uow.session.scalars(
                    select(CaseRow.id)
                    .where(CaseRow.ref.in_([row["ref"] for row, _, _ in made]))
                    .order_by(CaseRow.ref)
                )
            )
            timeline = [
                {
                    **entry,
                    "case_id": case_id,
                    "member_id": None,
                    "role": "ib",
                    "action": "submitted",
                    "summary": {},
                }
                for case_id, (_, entries, _) in zip(ids, made, strict=True)
                for entry in entries
            ]
            await uow.session.execute(insert(TimelineRow), timeline)
            follow_ups = [
                {
                    "case_id": case_id,
                    "step": row["step"],
                    "follow_up": "reminder",
                    "status": "pending",
                    "due_at": row["step_entered_at"] + timedelta(days=7),
                    "attempts": 0,
                    "created_at": START,
                }
                for case_id, (row, _, is_open) in zip(ids, made, strict=True)
                if is_open
            ]
            if follow_ups:
                await uow.session.execute(insert(FollowUpRow), follow_ups)
        # What CaseRepository.save keeps when a case moves (the timeline above bypasses it).
        await backfill_first_moves(uow.session)
        await uow.commit()
    # Planner statistics, as a live database has them (autovacuum on PostgreSQL, `ANALYZE` on SQLite):
    # without them PostgreSQL plans the fresh tables as if they were empty.
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return school_ids


async def timed(url: str, request: ReportRequest, runs: int) -> tuple[float, Any]:
    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    registry = builtin_registry()
    times, report = [], None
    for _ in range(runs):
        started = time.perf_counter()
        async with UnitOfWork(sessions) as uow:
            report = await route_report(uow, registry, request, NOW, "Europe/Amsterdam")
        times.append(time.perf_counter() - started)
    await engine.dispose()
    return statistics.median(times), report


async def measure(url: str, cases: int, schools: int, regions: int) -> dict[str, Any]:
    started = time.perf_counter()
    school_ids = await seed(url, cases, schools, regions)
    seeded = time.perf_counter() - started
    region_s, report = await timed(url, ReportRequest("region", REGIONS[0]), 3)
    school_s, _ = await timed(url, ReportRequest("school", str(school_ids[0])), 3)
    figures = report.routes[0]
    return {
        "cases": cases,
        "schools": schools,
        "regions": regions,
        "seed_s": round(seeded, 1),
        "region_report_s": round(region_s, 3),
        "school_report_s": round(school_s, 3),
        "region_cases_counted": figures.cases,
        "region_open": sum(s.open for s in figures.steps if isinstance(s.open, int)),
    }


async def with_postgres(base: str, cases: int, schools: int, regions: int) -> dict[str, Any]:
    import asyncpg
    from sqlalchemy.engine import make_url

    schema = f"bench_{secrets.token_hex(4)}"
    dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        separator = "&" if "?" in base else "?"
        return await measure(f"{base}{separator}search_path={schema}", cases, schools, regions)
    finally:
        await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--regions", type=int, default=1, choices=range(1, len(REGIONS) + 1))
    args = parser.parse_args()
    result: dict[str, Any] = {"targets": {"region_report_s": 2.0}}
    with tempfile.TemporaryDirectory() as folder:
        result["sqlite"] = await measure(
            f"sqlite+aiosqlite:///{folder}/bench.db", args.cases, args.schools, args.regions
        )
        print(json.dumps({"sqlite": result["sqlite"]}), file=sys.stderr)
    postgres = os.environ.get("ZORGROUTE_TEST_POSTGRES_URL")
    if postgres:
        result["postgres"] = await with_postgres(postgres, args.cases, args.schools, args.regions)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
