"""The audit trail: append and read, nothing else (the table refuses UPDATE and DELETE as well)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.inserts import table
from storage.models.audit import AuditRow


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    member_id: int | None
    role: str | None
    action: str
    school_id: int | None
    case_ref: str | None
    pupil_label: str | None
    channel: str
    via: str
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**self.columns(), "at": self.at.isoformat()}

    def columns(self) -> dict[str, Any]:
        """The entry as column values. Its fields are scalars, so no deep copy as `asdict` makes: that was
        2 % of a /signaal update's CPU."""
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(f.name for f in fields(AuditEntry))


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Not None: append() keeps its rows here, and flush_deferred() inserts them in one statement, in the
        # same transaction (a unit of work defers them to its commit: storage/uow.py; a batch of
        # follow-ups writes its entries together).
        self._deferred: list[dict[str, Any]] | None = None

    def begin_deferred(self) -> None:
        if self._deferred is None:
            self._deferred = []

    @property
    def pending(self) -> bool:
        return bool(self._deferred)

    async def flush_deferred(self) -> None:
        rows, self._deferred = self._deferred or [], None
        if rows:
            await self.session.execute(insert(table(AuditRow)), rows)  # past the ORM's bulk path

    def discard_deferred(self) -> None:
        """Forget the kept entries (their transaction rolled back)."""
        if self._deferred is not None:
            self._deferred = []

    async def append(self, entry: AuditEntry) -> None:
        if self._deferred is not None:
            self._deferred.append(entry.columns())
            return
        self.session.add(AuditRow(**entry.columns()))
        await self.session.flush()

    async def for_case(self, refs: Sequence[str]) -> list[AuditEntry]:
        if not refs:
            return []
        return await self._select(select(AuditRow).where(AuditRow.case_ref.in_(list(refs))))

    async def for_member(self, member_id: int) -> list[AuditEntry]:
        return await self._select(select(AuditRow).where(AuditRow.member_id == member_id))

    async def by_admins(self) -> list[AuditEntry]:
        """What was done on the server (the CLI) or by the system: entries without a member."""
        return await self._select(select(AuditRow).where(AuditRow.member_id.is_(None)))

    async def _select(self, query: Any) -> list[AuditEntry]:
        if self._deferred:  # what this transaction appended is part of the trail it reads
            await self.flush_deferred()
            self.begin_deferred()
        rows = await self.session.scalars(query.order_by(AuditRow.at, AuditRow.id))
        return [
            AuditEntry(
                r.at,
                r.member_id,
                r.role,
                r.action,
                r.school_id,
                r.case_ref,
                r.pupil_label,
                r.channel,
                r.via,
                r.detail,
            )
            for r in rows
        ]
