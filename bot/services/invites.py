"""Invite codes: made here, stored hashed, shown once."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.roles import ROLES
from storage.models import Invite
from storage.uow import UnitOfWork

DEFAULT_EXPIRES_DAYS = 14
# Telegram's deep-link start parameter: [A-Za-z0-9_-]{1,64}.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InviteError(ValueError):
    """An invite that cannot be made (unknown school or role, bad expiry)."""


@dataclass(frozen=True)
class NewInvite:
    code: str  # shown once; only its hash is stored
    invite: Invite


def new_code() -> str:
    return secrets.token_urlsafe(24)  # 32 URL-safe characters, 192 bits


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def create_invite(
    uow: UnitOfWork,
    *,
    school_id: int,
    roles: Iterable[str],
    display_name: str | None,
    now: datetime,
    expires_days: int = DEFAULT_EXPIRES_DAYS,
) -> NewInvite:
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise InviteError("an invite needs at least one role")
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise InviteError(f"unknown role {unknown[0]!r}; known roles: {', '.join(sorted(ROLES))}")
    if expires_days < 1:
        raise InviteError("--expires-days must be at least 1")
    if await uow.schools.get(school_id) is None:
        raise InviteError(f"no school with id {school_id}")
    code = new_code()
    invite = await uow.invites.add(
        code_hash=hash_code(code),
        school_id=school_id,
        roles=roles,
        display_name=display_name,
        now=now,
        expires_at=now + timedelta(days=expires_days),
    )
    return NewInvite(code=code, invite=invite)
