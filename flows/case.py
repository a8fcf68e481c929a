"""A case: one pupil's journey through a route. Immutable; the engine returns a new one."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from flows.participants import Participant
from flows.roles import RoleId

Status = Literal["draft", "open", "closed", "cancelled"]
Priority = Literal["normal", "first"]


@dataclass(frozen=True)
class Pupil:
    """Pseudonymous: initials + group, and optionally the school's own pupil number. Never a name."""

    id: int | None
    label: str
    number: str | None = None


@dataclass(frozen=True)
class Consent:
    status: Literal["given", "refused", "unreachable"]
    method: str
    on: str  # ISO date the parents were asked
    by_member: int
    recorded_at: datetime


@dataclass(frozen=True)
class Draft:
    """What one actor has answered so far in the current step's form."""

    step: str
    values: dict[str, Any] = field(default_factory=dict)
    pending: str | None = None  # the field being asked; None while waiting for confirmation


@dataclass(frozen=True)
class Correction:
    """An answer corrected after the step was confirmed: added beside what was recorded, never over it.
    `attempt` is the submission it corrects (0 the first; a step submitted again has more)."""

    step: str
    field: str
    value: Any
    by_member: int
    at: datetime
    attempt: int = 0


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    member_id: int | None  # None: the system (a follow-up)
    role: RoleId | None
    step: str
    action: str  # opened, submitted, action:<id>, follow_up:<id>, cancelled, …
    summary: dict[str, Any]  # choices and dates; free text is only referenced ("text": True)
    to_step: str | None = None


@dataclass(frozen=True)
class RouteFrame:
    """A calling route a case will return to: the case went into a sub-route (the Meldcode) from this
    route, pinned at this version, and comes back at `return_to` when the sub-route closes."""

    route_id: str
    route_version: int
    return_to: str


@dataclass(frozen=True)
class Case:
    ref: str
    school_id: int
    route_id: str
    route_version: int
    step: str
    status: Status
    created_by: int
    created_at: datetime
    timezone: str = "Europe/Amsterdam"
    id: int | None = None
    priority: Priority = "normal"
    pupil: Pupil | None = None
    flags: frozenset[str] = frozenset()
    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # step id -> submitted values
    # A step submitted again (another contact attempt) keeps what was recorded before: step id -> the
    # earlier submissions, oldest first. `data` holds the newest, which the route's conditions read.
    earlier: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()  # appended after confirming, in order
    drafts: dict[int, Draft] = field(default_factory=dict)  # member id -> draft of the current step
    consent: Consent | None = None
    regiehouder: RoleId | None = None
    assigned: dict[RoleId, int] = field(default_factory=dict)  # role -> member id who holds it
    counters: dict[str, int] = field(default_factory=dict)
    participants: tuple[Participant, ...] = ()  # who takes part, and why (flows/participants.py)
    outcome: str | None = None
    step_entered_at: datetime | None = None
    timeline: tuple[TimelineEntry, ...] = ()
    # The routes this case was handed over from, innermost last; `route_id`/`route_version` are the route it
    # is in now. Empty for a case in the route it started in.
    stack: tuple[RouteFrame, ...] = ()

    def with_(self, **changes: Any) -> Case:
        return replace(self, **changes)

    @property
    def is_open(self) -> bool:
        return self.status in ("draft", "open")

    @property
    def consent_given(self) -> bool:
        return self.consent is not None and self.consent.status == "given"
