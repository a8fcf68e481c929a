"""A member leaves: access ends at once, their work falls back to the role, and the IB-er is told.

The member row stays (the timeline and the audit trail say who did what), but without roles or a
Telegram link: their next message gets the stranger's refusal. Their assignments are dropped, so a step
they held waits on the role at the school again (policy: the step's roles may act); their unconfirmed
signals are cancelled and their half-filled forms dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.msgids import N_
from bot.services.audit import AuditTrail
from flows.case import Case, TimelineEntry
from flows.msgids import params_to_data
from storage.uow import UnitOfWork

NOTICE = N_("offboard.notice")  # marked: it reaches the translator only as data
NOTIFIED_ROLES = ("ib", "zorgcoordinator")  # the school's care coordinator (PO and VO)


class OffboardError(LookupError):
    pass


@dataclass(frozen=True)
class Offboarded:
    member_id: int
    schools: list[int]
    reassigned: dict[int, int]  # school id -> cases that now wait on the role
    notified: int


async def remove_member(uow: UnitOfWork, member_id: int, now: datetime, audit: AuditTrail) -> Offboarded:
    """Does not commit: the caller commits access, cases, notices and audit together."""
    member = await uow.members.get(member_id)
    if member is None:
        raise OffboardError(f"no member with id {member_id}")
    schools = sorted({r.school_id for r in member.roles})
    reassigned: Counter[int] = Counter()
    for case in await uow.cases.active(schools):
        changed = _without(case, member_id, now)
        if changed is None:
            continue
        if changed.assigned != case.assigned:
            reassigned[case.school_id] += 1
        appended = changed.timeline[len(case.timeline) :]
        await uow.cases.save(changed, now, appended)
        await audit.admin("offboard", case=changed, detail=f"member {member_id} removed")
    await uow.members.offboard(member)
    notified = 0
    for school_id in schools:
        for ib in await uow.members.with_roles(school_id, NOTIFIED_ROLES):
            if ib.id == member_id:
                continue
            is_new = await uow.outbox.add(
                key=f"offboard:{member_id}:{school_id}:{ib.id}:telegram",
                member_id=ib.id,
                channel="telegram",
                kind="notice",
                now=now,
                # No names: who left is for the school's own records, not for a chat.
                payload={
                    "message": NOTICE,
                    "params": params_to_data({"n": reassigned[school_id]}),
                    "school_id": school_id,
                },
            )
            notified += is_new
    await audit.admin("offboard", detail=f"member {member_id} removed; schools {schools}")
    return Offboarded(member_id, schools, dict(reassigned), notified)


def _without(case: Case, member_id: int, now: datetime) -> Case | None:
    """The case without the member's assignments and drafts (None when they had neither)."""
    assigned = {role: m for role, m in case.assigned.items() if m != member_id}
    drafts = {m: d for m, d in case.drafts.items() if m != member_id}
    if assigned == case.assigned and drafts == case.drafts:
        return None
    changed = case.with_(assigned=assigned, drafts=drafts)
    if case.status == "draft" and case.created_by == member_id:
        entry = TimelineEntry(now, None, None, case.step, "cancelled", {})
        changed = changed.with_(status="cancelled", timeline=(*case.timeline, entry))
    return changed
