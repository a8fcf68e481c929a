"""A pupil's rights of access and erasure, exercised by an admin on the server."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from bot.services.audit import CLI, AuditTrail
from bot.services.subject import export_pupil
from bot.settings import Settings
from flows.clock import FrozenClock
from flows.registry import builtin_registry
from storage.models import PupilRow
from tests.cli import zorgroute
from tests.harness import BotHarness
from tests.privacy_helpers import signal


async def test_export_holds_every_case_of_the_pupil_and_is_audited(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(1, "leerkracht", school_id=school)
        first = await signal(h, 1, pupil="QX 7", notes="eerste zorg")
        second = await signal(h, 1, pupil="QX 7", notes="tweede zorg")
        other = await signal(h, 1, pupil="RT 4", notes="iemand anders")
        async with h.uow() as uow:
            exported = await export_pupil(
                uow, second, AuditTrail(uow, clock, member=None, channel=CLI, via="t"), builtin_registry()
            )
            await uow.commit()
        assert exported["pupil"] == {"label": "QX 7", "number": None}
        assert [c["ref"] for c in exported["cases"]] == [first, second]
        assert "eerste zorg" in json.dumps(exported) and "iemand anders" not in json.dumps(exported)
        assert {e["case_ref"] for e in exported["audit"]} == {first, second}
        async with h.uow() as uow:
            exports = [e for e in await uow.audit.for_case([first, second, other]) if e.action == "export"]
        assert sorted(e.case_ref or "" for e in exports) == [first, second]


async def test_erase_asks_for_the_reference_then_removes_pupil_and_content(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(1, "leerkracht", school_id=school)
        ref = await signal(h, 1, pupil="QX 7", notes="moet weg")
        kept = await signal(h, 1, pupil="RT 4", notes="blijft")

    refused = await zorgroute(
        "pupil", "erase", ref, database_url=database_url, cwd=tmp_path, clock=clock, stdin="ja\n"
    )
    assert refused.returncode == 1 and "not confirmed; nothing was erased" in refused.stderr
    assert "This erases pupil QX 7" in refused.stdout

    erased = await zorgroute(
        "pupil", "erase", ref.lower(), database_url=database_url, cwd=tmp_path, clock=clock, stdin=f"{ref}\n"
    )
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.strip().endswith(f"erased: {ref}")

    async with BotHarness(settings, clock=clock) as h, h.uow() as uow:
        case = await uow.cases.get(ref)
        assert case is not None and case.pupil is None and case.data == {} and case.status == "cancelled"
        assert set(await uow.session.scalars(select(PupilRow.label))) == {"RT 4"}
        survivor = await uow.cases.get(kept)
        assert survivor is not None and "blijft" in str(survivor.data)
        assert [e.action for e in await uow.audit.by_admins()] == ["erase"]

    again = await zorgroute("pupil", "export", ref, database_url=database_url, cwd=tmp_path, clock=clock)
    assert again.returncode == 1 and "has no pupil" in again.stderr
