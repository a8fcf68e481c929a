"""The route file format (flows/routes/*.yaml) as pydantic models: one class per kind of mapping, with
unknown keys refused, kinds as closed lists and ids as constrained strings. The loader validates a file
with `RouteFile`, checks what a schema cannot say (references between steps, fields and actions), and
builds the engine's frozen `flows.route.Route` from it.

`python -m flows.schemas` publishes the same rules as JSON Schema, which
each route file names on its first line so an editor checks it while it is typed.

Adding a key is adding a field here (and to the dataclass in flows/route.py it builds); adding an effect
is a model with one key, listed in `EffectSpec` and `flows.route.EFFECT_KINDS`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flows import route as r
from flows.file_schema import FileModel, OneOrMany
from flows.msgids import MSGID_PATTERN, Msg
from flows.participation_schema import AssignSpec, GrantSpec, VisibilitySpec
from flows.roles import ROLES

# Ids travel in Telegram button data (bot/callbacks.py), which holds 64 bytes: "f:<ref>:<step>:<field>:ok:
# <yyyymmdd>" with an 8-character case ref leaves 40 for a step and a field id, and "a:<ref>:<step>:
# <action>" / "u:<ref>:<step>:<follow-up>" leave 52 for a step and an action or follow-up id.
ID = r"^[a-z][a-z0-9_]{0,31}$"
SHORT_ID = r"^[a-z][a-z0-9_]{0,19}$"
MSGID = MSGID_PATTERN.pattern
DURATION = r"^\d+\s*(school ?days?|schooldagen|schooldag|days?|dagen|dag|hours?|uur|sd|d|h)$"
HOURS = r"^\d+\s*(hours?|uur|h)$"
LOCAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
DATE_FIELD = r"^[a-z][a-z0-9_]{0,19}\.[a-z][a-z0-9_]{0,19}$"

Id = Annotated[str, StringConstraints(pattern=ID)]
StepId = Annotated[str, StringConstraints(pattern=SHORT_ID)]
FieldId = Annotated[str, StringConstraints(pattern=SHORT_ID)]
MsgId = Annotated[str, StringConstraints(pattern=MSGID)]
Duration = Annotated[str, StringConstraints(pattern=DURATION)]
LocalTime = Annotated[str, StringConstraints(pattern=LOCAL_TIME)]
DateField = Annotated[str, StringConstraints(pattern=DATE_FIELD)]


# A role id from flows/roles.py. An Enum, so the published schema lists the roles once (under $defs);
# `use_enum_values` keeps plain strings in the models, as the engine's types expect.
Role = StrEnum("Role", [(role, role) for role in sorted(ROLES)])  # type: ignore[misc]
Roles = Annotated[tuple[Role, ...], OneOrMany()]
Ids = Annotated[tuple[Id, ...], OneOrMany()]
StepIds = Annotated[tuple[StepId, ...], OneOrMany()]
Answer = str | bool | int

EFFECT_PROBLEM = f"an effect is a mapping with one key, one of: {', '.join(sorted(r.EFFECT_KINDS))}"

# A failed pattern (by the pattern) or an error type in the words of the file's author
# (file_schema.first_problem).
PROBLEMS = {
    ID: "is not an id (lowercase letters, digits, _; max 32)",
    SHORT_ID: "is not a step or field id (lowercase letters, digits, _; max 20, to fit Telegram's buttons)",
    MSGID: "is not a message id like 'route.step.text'",
    DURATION: "is not a duration like '3 school days', '2 days' or '48 hours'",
    LOCAL_TIME: "is not a local time like '09:00'",
    DATE_FIELD: "is not a date field like 'step.field'",
    "enum": f"unknown role {{given}}; known roles: {', '.join(sorted(ROLES))}",  # Role is the only Enum
    "effect": EFFECT_PROBLEM + ", got {given}",  # EffectSpec's own error type
}


class Names(FileModel):
    nl: str
    en: str


class Start(FileModel):
    command: Id
    roles: Roles
    step: StepId

    def build(self) -> r.Start:
        return r.Start(self.command, self.roles, self.step)


class Condition(FileModel):
    """All must hold: `flag`s set, `not_flag`s unset, counters at least, and every other key is a field of
    the step whose answer equals the value (or one of the listed values)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"propertyNames": {"pattern": SHORT_ID}})
    __pydantic_extra__: dict[str, Answer | tuple[Answer, ...]]

    flag: Ids = ()
    not_flag: Ids = ()
    counter_at_least: dict[Id, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _field_ids(self) -> Condition:
        for key in self.model_extra or {}:
            if not _matches(SHORT_ID, key):
                raise ValueError(f"{key!r} {PROBLEMS[SHORT_ID]}")
        return self

    def build(self) -> r.Condition:
        equals = tuple(
            (key, tuple(_answer(v) for v in (value if isinstance(value, tuple) else (value,))))
            for key, value in (self.model_extra or {}).items()
        )
        return r.Condition(equals, self.flag, self.not_flag, tuple(self.counter_at_least.items()))


def _answer(value: Answer) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _matches(pattern: str, text: str) -> bool:
    return re.match(pattern, text) is not None


# Effects: each a mapping with exactly one key, the effect's kind; its value is the effect's argument.
class _Effect(FileModel):
    def build(self) -> r.Effect:
        (kind,) = type(self).model_fields
        return r.Effect(kind, getattr(self, kind))


class NotifyArgs(FileModel):
    """Tell the holders of these roles at the school and the case's participants for these reasons, of
    those only whom the policy lets see the case (no free text, no names)."""

    roles: Roles = ()
    participants: tuple[Id, ...] = Field((), description="participant reasons (docs/privacy.md)")
    message: MsgId
    urgent: bool = Field(False, description="ignores quiet hours")
    actions: tuple[Id, ...] = Field((), description="case actions offered as buttons")
    when_flag: Id | None = Field(None, description="only if the case has this flag")


class Notify(_Effect):
    notify: NotifyArgs

    def build(self) -> r.Effect:
        a = self.notify
        args = {
            "when_flag": a.when_flag,
            "roles": a.roles,
            "message": a.message,
            "urgent": a.urgent,
            "actions": a.actions,
            "participants": a.participants,
        }
        return r.Effect("notify", args)


class RecordConsentArgs(FileModel):
    """The fields of this step whose answers are the consent's status, method and date."""

    status: FieldId
    method: FieldId
    date: FieldId


class RecordConsent(_Effect):
    record_consent: RecordConsentArgs

    def build(self) -> r.Effect:
        return r.Effect("record_consent", self.record_consent.model_dump())


class SetPriority(_Effect):
    set_priority: Literal["first", "normal"]


class Flag(_Effect):
    flag: Id


class Unflag(_Effect):
    unflag: Id


class Close(_Effect):
    close: Id = Field(description="the outcome")


class Count(_Effect):
    count: Id = Field(description="a counter that `counter_at_least` in a condition reads")


class Say(_Effect):
    say: MsgId = Field(description="a message to the person who acted")


class Status(_Effect):
    status: MsgId = Field(
        description="a short status update to the member who signalled (picked up, on the VOT list, consent, "
        "escalated, the Meldcode): the ref, the pupil label and this message; no answers, no family details"
    )


class AssignRegiehouder(_Effect):
    assign_regiehouder: Role


class AssignActor(_Effect):
    assign_actor: Role = Field(description="the acting member holds this role's part of the case from now on")


class EnterRouteArgs(FileModel):
    """Hand the case to another route (a sub-route, e.g. the Meldcode) at its `entry` step; when that route
    closes, the case comes back to this route's `return_to` step. The transition's own `to` is not taken.
    Without `return_to` (a case action that can be taken on any step) the case comes back to the step it
    was handed over from."""

    route: Id
    return_to: StepId | None = None


class EnterRoute(_Effect):
    enter_route: EnterRouteArgs

    def build(self) -> r.Effect:
        return r.Effect("enter_route", self.enter_route.model_dump())


def _effect_kind(value: Any) -> str | None:
    return next(iter(value)) if isinstance(value, dict) and len(value) == 1 else None


EffectSpec = Annotated[
    Annotated[Notify, Tag("notify")]
    | Annotated[SetPriority, Tag("set_priority")]
    | Annotated[Flag, Tag("flag")]
    | Annotated[Unflag, Tag("unflag")]
    | Annotated[RecordConsent, Tag("record_consent")]
    | Annotated[AssignRegiehouder, Tag("assign_regiehouder")]
    | Annotated[AssignActor, Tag("assign_actor")]
    | Annotated[Close, Tag("close")]
    | Annotated[Say, Tag("say")]
    | Annotated[Status, Tag("status")]
    | Annotated[Count, Tag("count")]
    | Annotated[EnterRoute, Tag("enter_route")],
    Discriminator(_effect_kind, custom_error_type="effect", custom_error_message=EFFECT_PROBLEM),
]


def _effects(effects: tuple[EffectSpec, ...]) -> tuple[r.Effect, ...]:
    return tuple(e.build() for e in effects)


class Option(FileModel):
    value: Id
    label: MsgId


class FieldSpec(FileModel):
    """A question of the step's form, asked in order; with `when`, only if it holds for earlier answers."""

    # The rules below (model validators) as JSON Schema too, so an editor flags them.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["kind"], "properties": {"kind": {"enum": ["choice", "multi"]}}},
            "then": {"required": ["options"], "properties": {"options": {"minItems": 1}}},
            "else": {"properties": {"options": {"maxItems": 0}}},
        }
    )

    id: FieldId
    # member: picks members of the school (its `roles`, `multiple`, `assign`: flows/participation_schema.py)
    kind: Literal["choice", "multi", "text", "date", "pupil", "member"]
    prompt: MsgId
    label: MsgId | None = Field(
        None,
        description="a short name for the answer ('Leerling'), in /zaak and summaries as 'label: answer'; "
        "every shipped route's fields have one (default: the prompt's question)",
    )
    options: tuple[Option, ...] = ()
    max_length: int = Field(500, ge=1, le=2000)
    optional: bool = False
    when: Condition | None = None
    sensitive: bool | None = Field(None, description="default: true for text fields (encrypted at rest)")
    roles: Roles = Field((), description="a member field: whom it offers (holders of these roles)")
    multiple: bool = Field(False, description="a member field that picks several")
    assign: Id | None = Field(None, description="a member field: the reason the picked take part for")
    tense: Literal["past", "future"] | None = Field(
        None,
        description="a date field (required there): asks about the past (refuses later days) or the future",
    )

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> FieldSpec:
        if self.kind in ("choice", "multi") and not self.options:
            raise ValueError(f"a {self.kind} field needs options")
        if self.kind not in ("choice", "multi") and self.options:
            raise ValueError(f"a {self.kind} field has no options")
        # A date asked about the past is offered and checked differently from one about the future.
        if self.kind == "date" and self.tense is None:
            raise ValueError("a date field says whether it asks about the past or the future (tense)")
        if self.kind != "date" and self.tense is not None:
            raise ValueError(f"a {self.kind} field has no tense")
        return self

    def build(self) -> r.Field:
        return r.Field(
            id=self.id,
            kind=self.kind,
            prompt=Msg(self.prompt),
            label=Msg(self.label) if self.label else None,
            options=tuple(r.Option(o.value, Msg(o.label)) for o in self.options),
            max_length=self.max_length,
            optional=self.optional,
            when=self.when.build() if self.when else r.Condition(),
            sensitive=self.kind == "text" if self.sensitive is None else self.sensitive,
            roles=self.roles,
            multiple=self.multiple,
            assign=self.assign,
            tense=self.tense,
        )


class TransitionSpec(FileModel):
    """The first transition whose `when` holds is taken; the last has no `when`."""

    to: StepId | None = Field(None, description="none: stay on the step (another attempt)")
    when: Condition | None = None
    effects: tuple[EffectSpec, ...] = ()
    requires_consent: bool = Field(
        False, description="refused unless consent is recorded (or the safety flag)"
    )
    label: MsgId | None = Field(None, description="the arrow's short label on the routekaart")

    def build(self) -> r.Transition:
        return r.Transition(
            to=self.to,
            when=self.when.build() if self.when else r.Condition(),
            effects=_effects(self.effects),
            requires_consent=self.requires_consent,
            label=None if self.label is None else Msg(self.label),
        )


class FollowUpSpec(FileModel):
    """A deadline on the step: `after` a duration from entering it, or `on_date` a date a step recorded."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["after"]}, {"required": ["on_date"]}]}
    )

    id: Id
    after: Duration | None = None
    on_date: DateField | None = None
    at: LocalTime | None = None
    effects: tuple[EffectSpec, ...] = ()
    to: StepId | None = None
    actions: tuple[Id, ...] = ()

    @field_validator("at")
    @classmethod
    def _at_needs_a_day(cls, at: str | None, info: ValidationInfo) -> str | None:
        after = info.data.get("after")
        if at is not None and after is not None and _matches(HOURS, after):
            raise ValueError("a duration in hours is elapsed time and lands on no local time")
        return at

    @model_validator(mode="after")
    def _one_moment(self) -> FollowUpSpec:
        if (self.after is None) == (self.on_date is None):
            raise ValueError("a follow-up needs either 'after' (a duration) or 'on_date' (step.field)")
        return self

    def build(self) -> r.FollowUp:
        step, _, field = (self.on_date or "").partition(".")
        return r.FollowUp(
            id=self.id,
            after=self.after,
            effects=_effects(self.effects),
            to=self.to,
            actions=self.actions,
            on_date=(step, field) if self.on_date else None,
            at=self.at,
        )


class StepSpec(FileModel):
    """A form (fields) filled in by one member of the `actors` roles, then the first transition that holds."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["terminal"], "properties": {"terminal": {"const": True}}},
                {"required": ["transitions"], "properties": {"transitions": {"minItems": 1}}},
            ]
        }
    )

    actors: Roles
    title: MsgId
    fields: tuple[FieldSpec, ...] = ()
    confirm: bool = Field(False, description="show a summary to confirm before submitting")
    transitions: tuple[TransitionSpec, ...] = ()
    on_enter: tuple[EffectSpec, ...] = ()
    follow_ups: tuple[FollowUpSpec, ...] = ()
    terminal: bool = Field(False, description="an end step: arriving closes the case")
    group: Id | None = Field(None, description="the visibility group of its answers (docs/privacy.md)")
    visible: tuple[GrantSpec, ...] = Field((), description="who else sees the case while it is here")
    acted_by: dict[Role, Ids] = Field(
        default_factory=dict, description="for these roles only their participants for these reasons"
    )
    assign: tuple[AssignSpec, ...] = Field((), description="who takes part in the case on submit")

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, fields: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
        if len({f.id for f in fields}) != len(fields):
            raise ValueError("field ids must be unique within a step")
        return fields

    @field_validator("transitions")
    @classmethod
    def _last_is_unconditional(cls, transitions: tuple[TransitionSpec, ...]) -> tuple[TransitionSpec, ...]:
        if transitions and transitions[-1].when is not None and not transitions[-1].when.build().always:
            raise ValueError("the last transition must have no condition, so every answer leads somewhere")
        return transitions

    @model_validator(mode="after")
    def _leads_somewhere(self) -> StepSpec:
        if not self.terminal and not self.transitions:
            raise ValueError("a step needs transitions unless it is terminal")
        return self

    def build(self, step_id: str) -> r.Step:
        return r.Step(
            id=step_id,
            actors=self.actors,
            title=Msg(self.title),
            fields=tuple(f.build() for f in self.fields),
            confirm=self.confirm,
            transitions=tuple(t.build() for t in self.transitions),
            on_enter=_effects(self.on_enter),
            follow_ups=tuple(f.build() for f in self.follow_ups),
            terminal=self.terminal,
            group=self.group,
            visible=tuple(g.build() for g in self.visible),
            acted_by={str(role): reasons for role, reasons in self.acted_by.items()},
            assign=tuple(a.build() for a in self.assign),
        )


class ActionSpec(FileModel):
    """What these roles may do on any open step (or only on `steps`), e.g. 'the family does not respond'."""

    roles: Roles
    label: MsgId
    effects: tuple[EffectSpec, ...] = ()
    to: StepId | None = None
    steps: tuple[StepId, ...] = Field((), description="the steps it is offered on; empty: every open step")

    def build(self, action_id: str) -> r.Action:
        return r.Action(action_id, self.roles, Msg(self.label), _effects(self.effects), self.to, self.steps)


class MilestoneSpec(FileModel):
    """A point the route report measures lead times to: the first move `from` and/or `to` these steps, or
    the case closing. The first milestone starts the lead times."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["closed"], "properties": {"closed": {"const": True}}},
                {"anyOf": [{"required": ["from"]}, {"required": ["to"]}]},
            ]
        }
    )

    id: Id
    label: MsgId
    from_steps: StepIds = Field((), alias="from")
    to_steps: StepIds = Field((), alias="to")
    closed: bool = False

    @model_validator(mode="after")
    def _closed_or_a_move(self) -> MilestoneSpec:
        if self.closed == bool(self.from_steps or self.to_steps):
            raise ValueError("a milestone is either 'closed: true' or a move 'from' and/or 'to' steps")
        return self

    def build(self) -> r.Milestone:
        return r.Milestone(self.id, Msg(self.label), self.from_steps, self.to_steps, self.closed)


class RouteFile(FileModel):
    """A route file: what a region may adapt. See docs/routes.md."""

    id: Id
    version: int = Field(ge=1, description="raise it when steps change; running cases keep theirs")
    name: Names
    region: str = Field("", description="the school-holiday calendar (flows/calendars/) for school days")
    source: str = ""
    school_kinds: tuple[Literal["po", "vo"], ...] = ("po", "vo")
    synonyms: dict[Role, Roles] = Field(default_factory=dict)
    vot: Roles = ()
    start: Start
    entry: StepId | None = Field(
        None, description="where a case another route hands over begins (default: the start step)"
    )
    steps: dict[StepId, StepSpec]
    actions: dict[Id, ActionSpec] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    milestones: tuple[MilestoneSpec, ...] = ()
    visibility: VisibilitySpec | None = Field(None, description="who sees what (docs/privacy.md)")

    # Not `min_length`: pydantic would also report an empty list when one item is wrong.
    @field_validator("school_kinds", "steps")
    @classmethod
    def _not_empty(cls, value: tuple[str, ...] | dict[str, StepSpec]) -> Any:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("milestones")
    @classmethod
    def _first_milestone_starts(cls, milestones: tuple[MilestoneSpec, ...]) -> tuple[MilestoneSpec, ...]:
        if len({m.id for m in milestones}) != len(milestones):
            raise ValueError("milestone ids must be unique")
        if milestones and milestones[0].closed:
            raise ValueError("the first milestone starts the lead times; it cannot be 'closed'")
        return milestones

    def build(self) -> r.Route:
        return r.Route(
            id=self.id,
            version=self.version,
            name=self.name.model_dump(),
            region=self.region,
            source=self.source,
            school_kinds=self.school_kinds,
            synonyms={role: others for role, others in self.synonyms.items()},
            vot=self.vot,
            start=self.start.build(),
            entry=self.entry,
            steps={sid: step.build(sid) for sid, step in self.steps.items()},
            actions={aid: action.build(aid) for aid, action in self.actions.items()},
            settings=dict(self.settings),
            milestones=tuple(m.build() for m in self.milestones),
            visibility=self.visibility.build() if self.visibility is not None else None,
        )
