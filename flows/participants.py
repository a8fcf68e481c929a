"""Who takes part in a case, and who may read what of it. Pure data and functions.

A case's participants are the members involved in it, each with why: the teacher who signalled it, the
IB-er who acted on it, the coach a wijkteamleider chose, the members invited to the OT, the one a case was
escalated to. Access follows the case, not the role: a route's `visibility` says, as data, which
participants (by reason) and which roles may see a case and read each group of its recorded answers, and
whether that waits for the parents' consent (see docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from flows.roles import RoleId

if TYPE_CHECKING:  # the case holds participants; these functions take a case
    from flows.case import Case, TimelineEntry

Reason = str  # signalled, or the acting role (ib, gs, …), or a route's own word (coach, ot_invitee, …)
SIGNALLED: Reason = "signalled"  # the member who started the case (the teacher's signal)
ACTOR = "actor"  # `assign: {member_from: actor}`: the member who submitted the step


@dataclass(frozen=True)
class Participant:
    member_id: int
    reason: Reason
    at: datetime
    step: str | None = None  # the step at which they joined (None: unknown, e.g. from an old timeline)


@dataclass(frozen=True)
class Grant:
    """One line of a visibility rule: these participants (by reason) or holders of these roles, and,
    with `when: consent`, only once the parents consented (or a consent exception flag is set)."""

    participants: tuple[Reason, ...] = ()
    roles: tuple[RoleId, ...] = ()
    when: Literal["always", "consent"] = "always"


@dataclass(frozen=True)
class Visibility:
    """A route's need-to-know. `case`: who sees the case at all (its status view: step, who holds it,
    open or closed, the next date). `groups`: who reads the recorded answers of the steps in each group.
    `consent_exception`: flags that stand in for consent (the safety route), named in the route file."""

    case: tuple[Grant, ...]
    groups: dict[str, tuple[Grant, ...]] = field(default_factory=dict)
    consent_exception: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assign:
    """A step's `assign`: on submit, the member named by `member_from` (`actor`, or a member field of the
    step) takes part in the case with `reason`."""

    reason: Reason
    member_from: str = ACTOR


def join(case: Case, member_id: int, reason: Reason, at: datetime, step: str | None) -> Case:
    """The case with `member_id` taking part for `reason` (once: a second join for the same reason keeps
    the first moment)."""
    if any(p.member_id == member_id and p.reason == reason for p in case.participants):
        return case
    return case.with_(participants=(*case.participants, Participant(member_id, reason, at, step)))


def reasons_of(case: Case, member_id: int) -> frozenset[Reason]:
    return frozenset(p.reason for p in case.participants if p.member_id == member_id)


def members_for(case: Case, reasons: Iterable[Reason]) -> frozenset[int]:
    wanted = set(reasons)
    return frozenset(p.member_id for p in case.participants if p.reason in wanted)


def from_timeline(
    created_by: int | None, created_at: datetime, timeline: Iterable[TimelineEntry]
) -> tuple[Participant, ...]:
    """The participants a case had before participants were stored: its creator (signalled) and every
    member on its timeline, with the role they acted in. Migration 0009 runs the same rule in SQL."""
    out: dict[tuple[int, str], Participant] = {}
    if created_by is not None:
        out[(created_by, SIGNALLED)] = Participant(created_by, SIGNALLED, created_at, None)
    for entry in timeline:
        if entry.member_id is None or entry.role is None:
            continue
        out.setdefault(
            (entry.member_id, entry.role), Participant(entry.member_id, entry.role, entry.at, None)
        )
    return tuple(out.values())
