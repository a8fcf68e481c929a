"""Typed button data. A button carries an action and ids only; every press is checked again against the
access policy and the case's current step (a stale or forged press changes nothing).

aiogram refuses to pack more than 64 bytes, and the route schema keeps step and field ids short enough
for that (flows/route_schema.py; tests/flows/test_file_schemas.py packs the longest ids it allows,
tests/test_callbacks.py those of the shipped routes).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from aiogram.filters.callback_data import CallbackData


class FormOp(StrEnum):
    """What a form button does. The values are the wire codes, unchanged since buttons were strings,
    so the buttons already in members' chats keep working."""

    CHOOSE = "c"
    TOGGLE = "t"
    DONE = "d"
    DATE = "v"
    EARLIER = "e"
    PUPIL = "p"
    MEMBER = "m"
    MEMBER_TOGGLE = "n"
    CONFIRM = "ok"
    DISCARD = "x"
    REOPEN = "r"


class FormPress(CallbackData, prefix="f"):
    """A press on a form of step `step` of case `ref`, about `field` ("-" on the summary's buttons).

    One subclass per action, each with its own `op` and its own typed last part, all on the wire
    `f:ref:step:field:op:value`: a handler registers per class (`FormChoose.filter()`), and data that
    no class parses (an unknown op, a non-number option) reaches the fallback's stale-button answer.
    """

    ref: str
    step: str
    field: str


class FormChoose(FormPress, prefix="f"):
    """Choose option #`option` of a choice field."""

    op: Literal[FormOp.CHOOSE] = FormOp.CHOOSE
    option: int


class FormToggle(FormPress, prefix="f"):
    """Tick or untick option #`option` of a multi-choice field."""

    op: Literal[FormOp.TOGGLE] = FormOp.TOGGLE
    option: int


class FormDone(FormPress, prefix="f"):
    """Finish a multi-choice field, or skip an optional one."""

    op: Literal[FormOp.DONE] = FormOp.DONE
    v: Literal[""] = ""


class FormDate(FormPress, prefix="f"):
    """Answer a date field with `day` (yyyymmdd, checked by the handler: a forged one is stale)."""

    op: Literal[FormOp.DATE] = FormOp.DATE
    day: str


class FormEarlier(FormPress, prefix="f"):
    """A past date field's "Eerder": ask to type the day, with examples (the engine is not involved)."""

    op: Literal[FormOp.EARLIER] = FormOp.EARLIER
    v: Literal[""] = ""


class FormPupil(FormPress, prefix="f"):
    """Answer a pupil field with one of the member's recent pupils (by row id, checked again)."""

    op: Literal[FormOp.PUPIL] = FormOp.PUPIL
    pupil: int


class FormMember(FormPress, prefix="f"):
    """Answer a member field with one member (by id, checked again: a holder of the field's roles)."""

    op: Literal[FormOp.MEMBER] = FormOp.MEMBER
    member: int


class FormMemberToggle(FormPress, prefix="f"):
    """Tick or untick a member of a member field that picks several (checked again like FormMember)."""

    op: Literal[FormOp.MEMBER_TOGGLE] = FormOp.MEMBER_TOGGLE
    member: int


class FormConfirm(FormPress, prefix="f"):
    """Submit the step as summarised."""

    op: Literal[FormOp.CONFIRM] = FormOp.CONFIRM
    v: Literal[""] = ""


class FormReopen(FormPress, prefix="f"):
    """From the summary, ask `field` again (change an answer before confirming)."""

    op: Literal[FormOp.REOPEN] = FormOp.REOPEN
    v: Literal[""] = ""


class FormDiscard(FormPress, prefix="f"):
    """Drop the open form (a signal not yet confirmed is cancelled)."""

    op: Literal[FormOp.DISCARD] = FormOp.DISCARD
    v: Literal[""] = ""


FORM_PRESSES: tuple[type[FormPress], ...] = (
    FormChoose,
    FormToggle,
    FormDone,
    FormDate,
    FormPupil,
    FormMember,
    FormMemberToggle,
    FormConfirm,
    FormReopen,
    FormDiscard,
)


class OpenCb(CallbackData, prefix="o"):
    """Start working on the case's current step."""

    ref: str
    step: str


class ActionCb(CallbackData, prefix="a"):
    """A case action (e.g. 'family does not respond'), shown on `step`."""

    ref: str
    step: str
    action: str


class ActionConfirmCb(CallbackData, prefix="ac"):
    """Yes: take case action `action` shown on `step`, which alerts others (asked first)."""

    ref: str
    step: str
    action: str


class ActionDropCb(CallbackData, prefix="ad"):
    """No: leave the case action asked about untaken (nothing is sent)."""

    ref: str


class CaseCb(CallbackData, prefix="z"):
    """Show a case (summary and timeline)."""

    ref: str


class CasePageCb(CallbackData, prefix="zp"):
    """A page of a case: `part` "c" the case (header and what was recorded), "t" its timeline."""

    ref: str
    part: str = "c"
    page: int = 0


class CorrectCb(CallbackData, prefix="zc"):
    """Add a correction to the member's own confirmed step `step`: pick the field first."""

    ref: str
    step: str


class CorrectFieldCb(CallbackData, prefix="zf"):
    """Correct `field` of `step`: a choice field shows its options, others are typed."""

    ref: str
    step: str
    field: str


class CorrectOptionCb(CallbackData, prefix="zo"):
    """The corrected answer of a choice field: option #`option` (checked again by the engine)."""

    ref: str
    step: str
    field: str
    option: int


class SchoolCb(CallbackData, prefix="s"):
    """Pick the school to start a signal at (members with the role at several schools)."""

    school: int


class SnoozeCb(CallbackData, prefix="u"):
    """Put off a reminder: `follow_up` of `step` is due again two school days from now."""

    ref: str
    step: str
    follow_up: str


class RoutekaartCb(CallbackData, prefix="r"):
    """Send the routekaart of this school's route (members at several schools pick one)."""

    school: int


class NamesChoice(StrEnum):
    USE = "use"  # send the answer with the placeholders
    REWRITE = "rewrite"  # type it again


class NamesCb(CallbackData, prefix="n"):
    """The answer to the name guard's question about a typed answer on case `ref`."""

    ref: str
    choice: NamesChoice
