"""The audit trail: every read of case data and every change, who/what/when/how; append-only; exported
by the CLI, which records its own read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from bot.settings import Settings
from flows.clock import FrozenClock
from storage.db import create_engine, make_sessionmaker
from storage.repositories.audit import AuditEntry
from storage.uow import UnitOfWork
from tests.cli import zorgroute
from tests.harness import BotHarness
from tests.privacy_helpers import signal

TEACHER, IB, OUTSIDER = 1, 2, 3


async def _entries(h: BotHarness, ref: str) -> list[tuple[object, ...]]:
    async with h.uow() as uow:
        return [
            (e.member_id, e.role, e.action, e.case_ref, e.pupil_label, e.channel, e.via)
            for e in await uow.audit.for_case([ref])
        ]


async def test_reads_and_changes_are_recorded_refusals_are_not(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        await h.register(IB, "ib", "directie", school_id=school)
        await h.register(OUTSIDER, "ib", school_id=await h.add_school("Elders"))
        ref = await signal(h, TEACHER, notes="vrije tekst")
        changes = await _entries(h, ref)
        assert {e[2] for e in changes} == {"create", "update"}
        assert all(e[0] == 1 and e[1] == "leerkracht" and e[5] == "telegram" for e in changes)
        assert changes[-1][4] == "QX 7" and changes[-1][6] == "button:f"  # confirmed with a button

        await h.send(IB, f"/zaak {ref}")
        await h.send(IB, "/signalen")
        reads = (await _entries(h, ref))[len(changes) :]
        assert reads == [
            (2, "directie,ib", "read", ref, "QX 7", "telegram", "/zaak"),
            (2, "directie,ib", "list", ref, "QX 7", "telegram", "/signalen"),
        ]

        before = await h.row_counts()
        await h.send(OUTSIDER, f"/zaak {ref}")
        assert h.last(OUTSIDER) == "Die zaak bestaat niet, of je hebt er geen toegang toe."
        assert await h.row_counts() == before  # a refusal writes nothing, not even to the trail


async def test_the_trail_refuses_update_and_delete(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        await signal(h, TEACHER)
        for statement in ("UPDATE audit_entry SET action = 'read'", "DELETE FROM audit_entry"):
            async with h.uow() as uow:
                with pytest.raises(DBAPIError, match="append-only"):
                    await uow.session.execute(text(statement))
        async with h.uow() as uow:
            assert not hasattr(uow.audit, "update") and not hasattr(uow.audit, "delete")


async def test_cli_exports_the_trail_and_audits_its_own_read(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        ref = await signal(h, TEACHER)
    exported = await zorgroute(
        "audit", "--case", ref, "--format", "json", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert exported.returncode == 0, exported.stderr
    rows = json.loads(exported.stdout)
    assert rows and {r["case_ref"] for r in rows} == {ref} and rows[0]["action"] == "create"
    as_csv = await zorgroute("audit", "--member", "1", database_url=database_url, cwd=tmp_path, clock=clock)
    assert as_csv.stdout.splitlines()[0].startswith("at,member_id,role,action,school_id,case_ref")
    assert len(as_csv.stdout.splitlines()) == len(rows) + 1
    async with BotHarness(settings, clock=clock) as h, h.uow() as uow:
        reads = [e for e in await uow.audit.by_admins() if e.action == "audit-read"]
    assert [(e.channel, e.detail) for e in reads] == [
        ("cli", f"case {ref} as json"),
        ("cli", "member 1 as csv"),
    ]


async def test_a_unit_of_works_entries_are_one_insert_at_its_commit(
    settings: Settings, clock: FrozenClock
) -> None:
    """An update that reads three cases wrote three entries, each with a flush of its own: now they wait for
    the commit and go in one statement; a rollback drops them, and a read of the trail includes them."""
    engine = create_engine(settings.database_url)
    inserts: list[str] = []

    def executed(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO audit_entry"):
            inserts.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", executed)
    sessionmaker = make_sessionmaker(engine)

    def entry(ref: str) -> AuditEntry:
        return AuditEntry(clock.now(), None, "ib", "read", None, ref, None, "telegram", "/zaak")

    try:
        async with UnitOfWork(sessionmaker) as uow:
            for ref in ("Z-1", "Z-2", "Z-3"):
                await uow.audit.append(entry(ref))
            assert uow.wrote and inserts == []
            await uow.commit()
        assert len(inserts) == 1
        async with UnitOfWork(sessionmaker) as uow:
            await uow.audit.append(entry("Z-4"))
            await uow.rollback()
            await uow.commit()
        async with UnitOfWork(sessionmaker) as uow:
            await uow.audit.append(entry("Z-5"))
            seen = [e.case_ref for e in await uow.audit.for_case(["Z-1", "Z-2", "Z-3", "Z-4", "Z-5"])]
        assert seen == ["Z-1", "Z-2", "Z-3", "Z-5"]  # Z-5 read in its own unit of work, not committed
        async with UnitOfWork(sessionmaker) as uow:
            assert len(await uow.audit.for_case(["Z-1", "Z-2", "Z-3", "Z-4", "Z-5"])) == 3
    finally:
        await engine.dispose()
