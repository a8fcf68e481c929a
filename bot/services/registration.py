"""Redeeming an invite code: throttled, single use, expiring. Nothing is stored for a failure
except an HMAC of the Telegram id with the time, so repeated guessing can be refused."""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.services.invites import CODE_PATTERN, hash_code
from storage.models import Member, School
from storage.uow import UnitOfWork

MAX_WRONG_CODES = 5
THROTTLE_WINDOW = timedelta(hours=1)


class Outcome(enum.Enum):
    REGISTERED = "registered"  # a new member
    ROLES_ADDED = "roles_added"  # an existing member got roles at a school
    NOTHING_NEW = "nothing_new"  # an existing member already had these roles
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Redemption:
    outcome: Outcome
    member: Member | None = None
    school: School | None = None
    roles: list[str] = field(default_factory=list)
    name: str = ""  # the member's display name, opened from its sealed column


def user_key(secret: bytes, telegram_user_id: int) -> str:
    return hmac.new(secret, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()


async def redeem(
    uow: UnitOfWork,
    *,
    code: str,
    telegram_user_id: int,
    first_name: str,
    member: Member | None,
    now: datetime,
    secret: bytes,
    default_language: str = "nl",
) -> Redemption:
    key = user_key(secret, telegram_user_id)
    since = now - THROTTLE_WINDOW
    await uow.invites.prune_attempts(before=since)
    if await uow.invites.count_attempts(key, since=since) >= MAX_WRONG_CODES:
        return Redemption(Outcome.THROTTLED)

    invite = await uow.invites.by_code_hash(hash_code(code)) if CODE_PATTERN.match(code) else None
    if invite is None:
        await uow.invites.record_attempt(key, at=now)
        return Redemption(Outcome.UNKNOWN)
    school = await uow.schools.get(invite.school_id)
    if invite.used_at is not None:
        return Redemption(Outcome.USED, member=member, school=school)
    if invite.expires_at <= now:
        return Redemption(Outcome.EXPIRED, member=member, school=school)

    outcome = Outcome.ROLES_ADDED
    if member is None:
        member = await uow.members.add(
            telegram_user_id=telegram_user_id,
            display_name=uow.invites.name(invite) or first_name or "?",
            language=default_language,
            now=now,
        )
        outcome = Outcome.REGISTERED
    added = await uow.members.add_roles(member, invite.school_id, invite.roles)
    if outcome is Outcome.ROLES_ADDED and not added:
        outcome = Outcome.NOTHING_NEW
    await uow.invites.mark_used(invite, member_id=member.id, now=now)
    return Redemption(
        outcome, member=member, school=school, roles=list(invite.roles), name=uow.members.name(member)
    )
