"""A route as data: the immutable model that route files (flows/routes/*.yaml) are loaded into.

The engine interprets these objects; nothing here knows about Telegram or a database. Step kinds are
small: a step is a form (a sequence of fields) filled in by one actor of the step's roles, followed by
the first transition whose condition holds. Effects are a closed registry (see `EFFECT_KINDS`), so a
route file can only ask for things the engine knows how to do.

Every message id of a route (titles, prompts, labels, the messages of `notify` and `say`) is a `Msg`
from the moment the objects are built, whoever builds them (the loader, a test): the dataclasses turn
the strings they are given into `Msg`, so the edge translates exactly these and shows all else verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flows.msgids import Msg, msg_or_none
from flows.participants import Assign, Grant, Reason, Visibility
from flows.roles import RoleId

# `member`: a member of the school holding one of the field's roles (flows/participation_schema.py).
Tense = Literal["past", "future"]
FieldKind = Literal["choice", "multi", "text", "date", "pupil", "member"]
FIELD_KINDS: frozenset[str] = frozenset({"choice", "multi", "text", "date", "pupil", "member"})

# Effects a route may declare. Each is a mapping with exactly one of these keys.
EFFECT_KINDS: frozenset[str] = frozenset(
    {
        "notify",  # {roles: [...], message: msgid, urgent: bool}
        "set_priority",  # "first" | "normal"
        "flag",  # flag name
        "unflag",  # flag name
        "record_consent",  # {status: field, method: field, date: field}
        "assign_regiehouder",  # role id
        "assign_actor",  # step role -> remember the acting member as assigned for that role
        "close",  # outcome id
        "say",  # msgid, a message to the actor
        "status",  # msgid, a short status update to the member who signalled
        "count",  # counter name: increments case.counters[name]
        "enter_route",  # {route: id, return_to: step}: hand the case to a sub-route and come back
    }
)


@dataclass(frozen=True)
class Option:
    value: str
    label: Msg

    def __post_init__(self) -> None:
        _as_msg(self, "label")


@dataclass(frozen=True)
class Condition:
    """All of `equals` must hold (a field value equals one of the listed values), all `flags` set,
    and no `not_flags` set. An empty condition always holds."""

    equals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    flags: tuple[str, ...] = ()
    not_flags: tuple[str, ...] = ()
    counter_at_least: tuple[tuple[str, int], ...] = ()

    @property
    def always(self) -> bool:
        return not (self.equals or self.flags or self.not_flags or self.counter_at_least)


@dataclass(frozen=True)
class Field:
    id: str
    kind: FieldKind
    prompt: Msg
    options: tuple[Option, ...] = ()
    max_length: int = 500
    optional: bool = False
    when: Condition = Condition()  # asked only when this holds for the answers so far
    sensitive: bool = False  # free text or names: encrypted at rest, never in notifications
    # A member field: who may be picked (holders of these roles at the school), whether several, and the
    # reason the picked members take part in the case with.
    roles: tuple[RoleId, ...] = ()
    multiple: bool = False
    assign: Reason | None = None
    tense: Tense | None = None  # a date field: refuses days on the other side of today
    label: Msg | None = None  # a short name for the answer ("Leerling"): /zaak and summaries

    def __post_init__(self) -> None:
        _as_msg(self, "prompt")
        if self.label is not None:
            _as_msg(self, "label")

    @property
    def name(self) -> Msg:
        """What an answer to this field is called where it is shown: its label, else its prompt."""
        return self.label or self.prompt


@dataclass(frozen=True)
class Effect:
    kind: str
    args: Any

    def __post_init__(self) -> None:
        # The effects that carry a message id for the edge: `say` and `status` (the id itself), `notify`.
        if self.kind in ("say", "status") and isinstance(self.args, str):
            object.__setattr__(self, "args", Msg(self.args))
        elif self.kind == "notify" and isinstance(self.args, dict):
            message = self.args.get("message")
            if isinstance(message, str):
                object.__setattr__(self, "args", {**self.args, "message": Msg(message)})


@dataclass(frozen=True)
class Transition:
    to: str | None  # None: stay on the step (e.g. another attempt)
    when: Condition = Condition()
    effects: tuple[Effect, ...] = ()
    requires_consent: bool = False  # the safety flag overrides it
    label: Msg | None = None  # the arrow's short label on the routekaart (default: the condition)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", msg_or_none(self.label))


@dataclass(frozen=True)
class FollowUp:
    """A deadline on a step: `after` a duration from entering the step, or `on_date` a date a step
    recorded ("plan_op_maat.evaluation"), its effects run (as a timeout input) unless the case has left
    the step. `to` optionally moves the case. Exactly one of `after` and `on_date` is set."""

    id: str
    after: str | None  # a duration string, e.g. "3 school days" (resolved by the calendar at the edge)
    effects: tuple[Effect, ...] = ()
    to: str | None = None
    actions: tuple[str, ...] = ()  # case actions offered as buttons on the reminder
    on_date: tuple[str, str] | None = None  # (step id, date field id) whose recorded value is the day
    at: str | None = None  # local wall-clock time "HH:MM" the deadline lands on (not for hours)


@dataclass(frozen=True)
class Step:
    id: str
    actors: tuple[RoleId, ...]
    title: Msg  # what the step is, for lists and timelines
    fields: tuple[Field, ...] = ()
    confirm: bool = False
    transitions: tuple[Transition, ...] = ()
    on_enter: tuple[Effect, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    terminal: bool = False
    group: str | None = None  # the visibility group of its recorded answers (Route.visibility.groups)
    visible: tuple[Grant, ...] = ()  # who else sees the case while it is at this step
    # "The participant who …": a holder of a role named here acts only when they take part in the case for
    # one of its reasons (leerkracht: [signalled] — not any colleague; jgc: [coach] — not every coach).
    acted_by: dict[RoleId, tuple[Reason, ...]] = field(default_factory=dict)
    assign: tuple[Assign, ...] = ()  # who takes part in the case when the step is submitted

    def __post_init__(self) -> None:
        _as_msg(self, "title")

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Action:
    """A case-level action that is not tied to the current step (e.g. 'family does not respond')."""

    id: str
    roles: tuple[RoleId, ...]
    label: Msg
    effects: tuple[Effect, ...] = ()
    to: str | None = None
    steps: tuple[str, ...] = ()  # empty: available on every open step

    def __post_init__(self) -> None:
        _as_msg(self, "label")

    @property
    def alerts(self) -> tuple[RoleId, ...]:
        """The roles its notifications go to: an action that alerts others is confirmed first."""
        roles = (r for e in self.effects if e.kind == "notify" for r in e.args["roles"])
        return tuple(dict.fromkeys(roles))

    @property
    def flags(self) -> frozenset[str]:
        """The flags it sets: once the case carries them all, the action no longer applies."""
        return frozenset(str(e.args) for e in self.effects if e.kind == "flag")


@dataclass(frozen=True)
class Start:
    command: str
    roles: tuple[RoleId, ...]
    step: str


@dataclass(frozen=True)
class Milestone:
    """A point on the route that the report measures lead times to: the first time a case moves from one
    of `from_steps` to one of `to_steps` (an empty tuple: any step), or, with `closed`, the moment the case
    closed. The route's first milestone is where its lead times start (the teacher's signal)."""

    id: str
    label: Msg
    from_steps: tuple[str, ...] = ()
    to_steps: tuple[str, ...] = ()
    closed: bool = False

    def __post_init__(self) -> None:
        _as_msg(self, "label")


@dataclass(frozen=True)
class Route:
    id: str
    version: int
    name: dict[str, str]  # per locale; the route's own title, shown in lists
    region: str
    source: str
    school_kinds: tuple[str, ...]
    synonyms: dict[RoleId, tuple[RoleId, ...]]  # role -> roles that play its part (ib -> zorgcoordinator)
    vot: tuple[RoleId, ...]  # roles that make up the school's VOT for this route
    start: Start
    steps: dict[str, Step]
    actions: dict[str, Action] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    milestones: tuple[Milestone, ...] = ()
    visibility: Visibility | None = None  # None: the old rule (the school's VOT); every shipped route has one
    entry: str | None = None  # where a case handed over by another route begins (None: the start step)

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def expand(self, roles: tuple[RoleId, ...] | frozenset[RoleId]) -> frozenset[RoleId]:
        """The roles plus every synonym that plays their part."""
        out = set(roles)
        for role in roles:
            out.update(self.synonyms.get(role, ()))
        return frozenset(out)

    @property
    def entry_step(self) -> str:
        return self.entry or self.start.step

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)


def _as_msg(obj: object, name: str) -> None:
    """Make `obj.name` a `Msg` (in a frozen dataclass's __post_init__)."""
    object.__setattr__(obj, name, Msg(getattr(obj, name)))
