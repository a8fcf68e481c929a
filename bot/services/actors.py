"""From a stored member to the engine's `Actor` at one school."""

from __future__ import annotations

from flows.policy import Actor
from storage.models import Member


def actor_at(member: Member, school_id: int) -> Actor:
    roles = frozenset(r.role for r in member.roles if r.school_id == school_id)
    return Actor(member_id=member.id, school_id=school_id, roles=roles)


def schools_of(member: Member) -> list[int]:
    return sorted({r.school_id for r in member.roles})
