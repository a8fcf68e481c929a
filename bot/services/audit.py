"""The audit trail as the edge writes it: who (member and role at the case's school), which case and
pupil, what, when, and through which channel and command. Reads are recorded by CaseReader, changes by
CaseService, admin actions by the CLI. A refusal is not written (it changed nothing and showed nothing);
it is logged instead, without content."""

from __future__ import annotations

import logging

from flows.case import Case
from flows.clock import Clock
from storage.models import Member
from storage.repositories.audit import AuditEntry
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

TELEGRAM, WEBHOOK, CLI, SYSTEM = "telegram", "webhook", "cli", "system"
WEBAPP = "webapp"  # the Mini App (bot/webapp/)


class AuditTrail:
    """Writes audit entries for one member (or an admin/the system when None) in one unit of work."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, *, member: Member | None, channel: str, via: str
    ) -> None:
        self.uow, self.clock, self.member, self.channel, self.via = uow, clock, member, channel, via

    async def case(self, action: str, case: Case, member_id: int | None, *, detail: str = "") -> None:
        """Record `action` on `case` by `member_id` (None: the system, e.g. a follow-up)."""
        await self.uow.audit.append(
            AuditEntry(
                at=self.clock.now(),
                member_id=member_id,
                role=self._roles(member_id, case.school_id),
                action=action,
                school_id=case.school_id,
                case_ref=case.ref,
                pupil_label=case.pupil.label if case.pupil else None,
                channel=self.channel,
                via=self.via[:80],
                detail=detail[:200] or None,
            )
        )

    async def admin(self, action: str, *, detail: str, case: Case | None = None) -> None:
        """An admin's action on the server (no member): exports, erasures, offboarding, audit reads."""
        await self.uow.audit.append(
            AuditEntry(
                at=self.clock.now(),
                member_id=None,
                role=None,
                action=action,
                school_id=case.school_id if case else None,
                case_ref=case.ref if case else None,
                pupil_label=case.pupil.label if case and case.pupil else None,
                channel=self.channel,
                via=self.via[:80],
                detail=detail[:200] or None,
            )
        )

    async def report(self, *, level: str, scope: str, school_id: int | None, detail: str = "") -> None:
        """A route report was shown: aggregates only, so no case or pupil, but who saw which level."""
        member_id = self.member.id if self.member else None
        await self.uow.audit.append(
            AuditEntry(
                at=self.clock.now(),
                member_id=member_id,
                role=self._roles(member_id, school_id) if school_id is not None else None,
                action="report",
                school_id=school_id,
                case_ref=None,
                pupil_label=None,
                channel=self.channel,
                via=self.via[:80],
                detail=f"{level} {scope} {detail}".strip()[:200],
            )
        )

    def refused(self, ref: str, reason: str) -> None:
        member = self.member.id if self.member else None
        log.info(
            "refused %s on %r for member %s via %s (%s)", reason, ref[:16], member, self.via, self.channel
        )

    def _roles(self, member_id: int | None, school_id: int) -> str | None:
        if member_id is None or self.member is None or member_id != self.member.id:
            return None
        held = sorted(r.role for r in self.member.roles if r.school_id == school_id)
        return ",".join(held)[:200] or None
