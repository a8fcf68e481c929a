"""The Meldcode record of one case (flows/meldcode_record.py) with the deciders' display names, for an
admin on the server (`zorgroute meldcode report`) and the pupil export. Every report is audited."""

from __future__ import annotations

from bot.services.audit import AuditTrail
from flows.case import Case
from flows.meldcode_record import MELDCODE, MeldcodeRecord, meldcode_record, meldcode_version
from flows.registry import RouteRegistry
from storage.uow import UnitOfWork


class MeldcodeError(LookupError):
    """No such case, or the case never went through the Meldcode."""


async def meldcode_report(
    uow: UnitOfWork, routes: RouteRegistry, ref: str, audit: AuditTrail
) -> MeldcodeRecord:
    """The record of case `ref`, written to the audit trail as `meldcode_report`. Does not commit."""
    case = await uow.cases.get(ref.strip().upper()) if ref.strip() else None
    if case is None:
        raise MeldcodeError(f"no case {ref!r}")
    record = await record_of(uow, routes, case)
    if record is None:
        raise MeldcodeError(f"case {case.ref} did not go through the Meldcode")
    await audit.admin("meldcode_report", case=case, detail=f"{record.status} {record.outcome or ''}".strip())
    return record


async def record_of(uow: UnitOfWork, routes: RouteRegistry, case: Case) -> MeldcodeRecord | None:
    """The case's Meldcode record with names, or None when it never went through the Meldcode."""
    version = meldcode_version(case)
    if version is None:
        return None
    meldcode = routes.get(MELDCODE, version)
    names: dict[int, str] = {}
    for member_id in sorted({e.member_id for e in case.timeline if e.member_id is not None}):
        found = await uow.members.get(member_id)
        if found is not None:
            names[member_id] = uow.members.name(found)
    return meldcode_record(case, meldcode, names)
