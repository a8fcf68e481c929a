"""What the engine asks the edge to do. Events are data: message ids and parameters, never rendered
text, never a channel. `bot/` renders them; `storage/` records them.

Message ids are `Msg` (flows/msgids.py): a parameter is translated only when it is a `Msg`, so a pupil
label or anything else a member typed reaches the reader as written, whatever it looks like."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.msgids import Msg
from flows.roles import RoleId


@dataclass(frozen=True)
class Prompt:
    """Ask `member` for `field` of `step`. `options` are (value, label msgid); `selected` for multi."""

    member: int
    case_ref: str
    step: str
    field: str
    kind: str
    message: Msg
    options: tuple[tuple[str, Msg], ...] = ()
    selected: tuple[str, ...] = ()
    optional: bool = False
    max_length: int = 0
    roles: tuple[RoleId, ...] = ()  # a member field: the edge offers the school's holders of these roles
    multiple: bool = False  # a member field that picks several (toggles, then done)
    tense: str | None = None  # a date field: "past" or "future", so the edge offers fitting quick answers


@dataclass(frozen=True)
class Summary:
    """Show `member` what they are about to submit, with confirm / cancel."""

    member: int
    case_ref: str
    step: str
    # (field name: its label, else its prompt; kind; value): for "choice" the option's label msgid, for
    # "multi" the labels' msgids joined by commas, for every other kind the value as given (never a msgid).
    values: tuple[tuple[Msg, str, str], ...]
    fields: tuple[str, ...] = ()  # the field id of each of `values`, to change one before confirming


@dataclass(frozen=True)
class Say:
    member: int
    message: Msg
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """Nothing changed; tell the actor why."""

    member: int
    message: Msg
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notify:
    """Tell the holders of `roles` at the case's school and the participants for `participants`; only
    those the policy lets see the case receive it (bot/services/notify.py). Carries no free text, no names:
    the edge shows the case ref, the school, the pupil label, the message and the command to open it."""

    case_ref: str
    roles: tuple[RoleId, ...]
    message: Msg
    urgent: bool = False  # the safety route: ignores quiet hours
    exclude: int | None = None  # the actor, who already knows
    step: str | None = None  # the step the recipients can act on, for an "open" button
    actions: tuple[str, ...] = ()  # case actions offered as buttons
    follow_up: str | None = None  # set when a due follow-up says it: the edge offers snooze and open
    participants: tuple[str, ...] = ()  # also the case's participants for these reasons


@dataclass(frozen=True)
class ScheduleFollowUp:
    """Set a deadline on `step`. The engine reads no calendar: it passes either a duration (`after`,
    counted from now) or a local date (`on`, ISO); the edge resolves it to UTC with the school's calendar
    (`at` is the local wall-clock time it lands on, if the route names one)."""

    case_ref: str
    step: str
    follow_up: str
    after: str | None = None  # a duration string for the calendar at the edge
    on: str | None = None  # an ISO local date a step recorded
    at: str | None = None  # "HH:MM" local


@dataclass(frozen=True)
class CancelFollowUps:
    case_ref: str
    step: str


@dataclass(frozen=True)
class StepEntered:
    case_ref: str
    step: str
    previous: str | None


@dataclass(frozen=True)
class CaseClosed:
    case_ref: str
    outcome: str


@dataclass(frozen=True)
class RouteEntered:
    """The case went from `from_route` into the sub-route `route` (pinned at `version`): the edge keeps that
    route version's definition with the case, as it does for the route a case starts in."""

    case_ref: str
    route: str
    version: int
    from_route: str


@dataclass(frozen=True)
class RouteReturned:
    """The sub-route `route` closed with `outcome` and the case is back in `to_route`."""

    case_ref: str
    route: str
    outcome: str
    to_route: str


Event = (
    Prompt
    | Summary
    | Say
    | Refused
    | Notify
    | ScheduleFollowUp
    | CancelFollowUps
    | StepEntered
    | CaseClosed
    | RouteEntered
    | RouteReturned
)
