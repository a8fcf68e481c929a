"""Subject rights (AVG art. 15 and 17) for one pupil, found through one of their case references:
everything about them as JSON, and erasure. Both run by an admin on the server and are audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.audit import AuditTrail
from bot.services.meldcode import record_of
from flows.case import Case, Pupil
from flows.meldcode_record import record_as_dict
from flows.registry import RouteRegistry
from flows.snapshot import case_snapshot
from storage.uow import UnitOfWork


class SubjectError(LookupError):
    """No such case, or the case has no pupil (any more)."""


@dataclass(frozen=True)
class Subject:
    pupil: Pupil
    cases: list[Case]


async def find_subject(uow: UnitOfWork, ref: str) -> Subject:
    case = await uow.cases.get(ref.strip().upper())
    if case is None:
        raise SubjectError(f"no case {ref!r}")
    if case.pupil is None or case.pupil.id is None:
        raise SubjectError(f"case {case.ref} has no pupil (anonymised or erased)")
    return Subject(case.pupil, await uow.cases.of_pupil(case.pupil.id))


async def export_pupil(uow: UnitOfWork, ref: str, audit: AuditTrail, routes: RouteRegistry) -> dict[str, Any]:
    """The pupil, all their cases (what was written, the timeline) and the audit entries about them; a
    case that went through the Meldcode also has its Meldcode record (`meldcode`: the five steps, dates and
    who decided), as `zorgroute meldcode report --json` shows it."""
    subject = await find_subject(uow, ref)
    refs = [c.ref for c in subject.cases]
    trail = [e.as_dict() for e in await uow.audit.for_case(refs)]
    for case in subject.cases:
        await audit.admin("export", case=case, detail=f"pupil export via {ref}")
    return {
        "pupil": {"label": subject.pupil.label, "number": subject.pupil.number},
        "cases": [await _case_export(uow, routes, c) for c in subject.cases],
        "audit": trail,
    }


async def erase_pupil(uow: UnitOfWork, ref: str, now: datetime, audit: AuditTrail) -> list[str]:
    """Drop what was written in each of the pupil's cases and the pupil itself; open cases are closed as
    erased so nobody keeps working on an empty file. Returns the case references. Does not commit."""
    subject = await find_subject(uow, ref)
    for case in subject.cases:
        assert case.id is not None
        await audit.admin("erase", case=case, detail=f"pupil erasure via {ref}")
        await uow.cases.anonymise(case.id, now, status="cancelled")
    assert subject.pupil.id is not None
    await uow.cases.drop_orphan_pupils([subject.pupil.id])
    return [c.ref for c in subject.cases]


async def _case_export(uow: UnitOfWork, routes: RouteRegistry, case: Case) -> dict[str, Any]:
    exported = {
        **case_snapshot(case),
        "school_id": case.school_id,
        "created_at": case.created_at.isoformat(),
        "drafts": {str(m): {"step": d.step, "values": d.values} for m, d in case.drafts.items()},
    }
    record = await record_of(uow, routes, case)
    if record is not None:
        exported["meldcode"] = record_as_dict(record)
    return exported
