from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.cipher import Cipher, PlainCipher
from storage.models import FsmStateRow, Member, MemberRole
from storage.quick_reads import PointReads, member_with_roles
from storage.quick_reads import Row as QuickRow


class MemberRepository:
    def __init__(
        self,
        session: AsyncSession,
        cipher: Cipher | None = None,
        quick: Callable[[], PointReads | None] = lambda: None,
    ) -> None:
        self._session = session
        self._cipher = cipher or PlainCipher()
        self._quick = quick  # storage/quick_reads.py

    def name(self, member: Member) -> str:
        """The member's display name (stored sealed)."""
        return self._cipher.open(member.sealed_name)

    def seal_name(self, name: str) -> str:
        return self._cipher.seal(name)

    async def by_telegram_id(self, telegram_user_id: int) -> Member | None:
        # Every update asks this: the member and their roles in one query (a join), not one per relation.
        quick = self._quick()
        rows = await quick.member_with_roles(telegram_user_id) if quick is not None else None
        if rows is not None:
            return self._attach(rows) if rows else None
        query = select(Member).options(joinedload(Member.roles))
        query = query.where(Member.telegram_user_id == telegram_user_id)
        return (await self._session.execute(query)).unique().scalar_one_or_none()

    def _attach(self, rows: list[QuickRow]) -> Member:
        """The member of quick-read rows, in this session (the one it holds already, if it does)."""
        held = self._session.sync_session.identity_map.get(
            Member.__mapper__.identity_key_from_primary_key((rows[0]["id"],))
        )
        if isinstance(held, Member):
            return held
        member = member_with_roles(rows)
        self._session.add(member)
        return member

    async def get(self, member_id: int) -> Member | None:
        return await self._session.get(Member, member_id)

    async def add(
        self, *, telegram_user_id: int | None, display_name: str, language: str, now: datetime
    ) -> Member:
        member = Member(
            telegram_user_id=telegram_user_id,
            sealed_name=self._cipher.seal(display_name),
            language=language,
            created_at=now,
        )
        member.roles = []
        self._session.add(member)
        await self._session.flush()
        return member

    async def add_roles(self, member: Member, school_id: int, roles: Iterable[str]) -> list[str]:
        """Give the member these roles at the school; returns the ones that are new."""
        held = {(r.school_id, r.role) for r in member.roles}
        added = [role for role in dict.fromkeys(roles) if (school_id, role) not in held]
        for role in added:
            member.roles.append(MemberRole(school_id=school_id, role=role))
        await self._session.flush()
        return added

    async def with_roles(self, school_id: int, roles: Iterable[str]) -> Sequence[Member]:
        """Members holding any of `roles` at the school (registered on Telegram or not), by id."""
        wanted = list(roles)
        query = (
            select(Member)
            .where(Member.roles.any((MemberRole.school_id == school_id) & MemberRole.role.in_(wanted)))
            .order_by(Member.id)
        )
        return (await self._session.scalars(query)).all()

    async def with_role_anywhere(self, role: str) -> Sequence[Member]:
        """Members holding `role` at any school (e.g. the admins told about dead letters), by id."""
        query = select(Member).where(Member.roles.any(MemberRole.role == role)).order_by(Member.id)
        return (await self._session.scalars(query)).all()

    async def list(self, *, school_id: int | None = None) -> Sequence[Member]:
        query = select(Member).order_by(Member.id)
        if school_id is not None:
            query = query.where(Member.roles.any(MemberRole.school_id == school_id))
        return (await self._session.scalars(query)).all()

    async def offboard(self, member: Member) -> None:
        """Revoke access at once: no roles, no Telegram link, no open dialogue. The row stays, so
        the timeline and the audit trail still say who did what."""
        if member.telegram_user_id is not None:
            await self._session.execute(
                delete(FsmStateRow).where(FsmStateRow.user_id == member.telegram_user_id)
            )
        member.roles = []
        member.telegram_user_id = None
        await self._session.flush()
