from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cipher import Cipher, PlainCipher
from storage.models import Invite, InviteAttempt


class InviteRepository:
    def __init__(self, session: AsyncSession, cipher: Cipher | None = None) -> None:
        self._session = session
        self._cipher = cipher or PlainCipher()

    def name(self, invite: Invite) -> str | None:
        """The display name the invite was made for (stored sealed)."""
        return None if invite.sealed_name is None else self._cipher.open(invite.sealed_name)

    async def add(
        self,
        *,
        code_hash: str,
        school_id: int,
        roles: Iterable[str],
        display_name: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invite:
        invite = Invite(
            code_hash=code_hash,
            school_id=school_id,
            roles=list(roles),
            sealed_name=None if display_name is None else self._cipher.seal(display_name),
            created_at=now,
            expires_at=expires_at,
        )
        self._session.add(invite)
        await self._session.flush()
        return invite

    async def by_code_hash(self, code_hash: str) -> Invite | None:
        # FOR UPDATE so two redeemers of one code cannot both win on PostgreSQL (ignored on SQLite,
        # whose writers are serialised anyway).
        query = select(Invite).where(Invite.code_hash == code_hash).with_for_update()
        return await self._session.scalar(query)

    async def mark_used(self, invite: Invite, *, member_id: int, now: datetime) -> None:
        invite.used_at = now
        invite.used_by_member_id = member_id
        await self._session.flush()

    async def redeemed_by(self, member_id: int) -> bool:
        """Whether this member joined with an invite code (and so saw the first welcome)."""
        query = select(Invite.id).where(Invite.used_by_member_id == member_id).limit(1)
        return await self._session.scalar(query) is not None

    # --- throttling of wrong codes -------------------------------------------------------------

    async def prune_attempts(self, *, before: datetime) -> None:
        await self._session.execute(delete(InviteAttempt).where(InviteAttempt.at < before))

    async def count_attempts(self, user_key: str, *, since: datetime) -> int:
        query = select(func.count()).where(InviteAttempt.user_key == user_key, InviteAttempt.at >= since)
        return int(await self._session.scalar(query) or 0)

    async def record_attempt(self, user_key: str, *, at: datetime) -> None:
        self._session.add(InviteAttempt(user_key=user_key, at=at))
        await self._session.flush()
