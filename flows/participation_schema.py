"""The route file's participation keys: `visibility` (route), `group`, `visible`, `acted_by` and `assign`
(step), and the `member` field's `roles`, `multiple` and `assign`.

Kept apart from flows/loader.py: `split` takes these keys out of the raw route before the loader reads the
rest, and `attach` puts them on the built route. Each key is a pydantic model that forbids unknown keys.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flows.participants import ACTOR, Assign, Grant, Visibility
from flows.roles import ROLES
from flows.route import Route, Step

Fail = Callable[[str, str], Exception]  # the loader's `ctx.fail(where, problem)`


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GrantModel(_Strict):
    participants: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    when: Literal["always", "consent"] = "always"


class VisibilityModel(_Strict):
    case: list[GrantModel] = Field(min_length=1)
    groups: dict[str, list[GrantModel]] = Field(default_factory=dict)
    consent_exception: list[str] = Field(default_factory=list)


class AssignModel(_Strict):
    reason: str
    member_from: str = ACTOR


class StepModel(_Strict):
    group: str | None = None
    visible: list[GrantModel] = Field(default_factory=list)
    acted_by: dict[str, list[str]] = Field(default_factory=dict)
    assign: list[AssignModel] = Field(default_factory=list)


class MemberFieldModel(_Strict):
    roles: list[str] = Field(min_length=1)
    assign: str
    multiple: bool = False


STEP_KEYS = frozenset(StepModel.model_fields)
FIELD_KEYS = frozenset(MemberFieldModel.model_fields)


class Extras(BaseModel):
    visibility: VisibilityModel | None = None
    steps: dict[str, StepModel] = Field(default_factory=dict)
    member_fields: dict[tuple[str, str], MemberFieldModel] = Field(default_factory=dict)


def split(raw: Any, fail: Fail) -> tuple[Any, Extras]:
    """`raw` without the participation keys (for the loader), and those keys validated."""
    if not isinstance(raw, Mapping):
        return raw, Extras()
    raw = copy.deepcopy(dict(raw))
    extras = Extras()
    try:
        if "visibility" in raw:
            extras.visibility = VisibilityModel.model_validate(raw.pop("visibility"))
    except ValidationError as exc:
        raise fail("visibility", _problem(exc)) from exc
    steps = raw.get("steps")
    if not isinstance(steps, Mapping):
        return raw, extras
    for sid, step in steps.items():
        if not isinstance(step, dict):
            continue
        where = f"steps.{sid}"
        taken = {k: step.pop(k) for k in list(step) if k in STEP_KEYS}
        try:
            extras.steps[str(sid)] = StepModel.model_validate(taken)
        except ValidationError as exc:
            raise fail(where, _problem(exc)) from exc
        for i, fld in enumerate(step.get("fields") or []):
            if not isinstance(fld, dict) or fld.get("kind") != "member":
                continue
            taken = {k: fld.pop(k) for k in list(fld) if k in FIELD_KEYS}
            try:
                extras.member_fields[(str(sid), str(fld.get("id")))] = MemberFieldModel.model_validate(taken)
            except ValidationError as exc:
                raise fail(f"{where}.fields[{i}]", _problem(exc)) from exc
    return raw, extras


def attach(route: Route, extras: Extras, fail: Fail) -> Route:
    """The built route with the participation keys on it, checked against its steps and roles."""
    visibility = None
    if extras.visibility is not None:
        v = extras.visibility
        visibility = Visibility(
            case=tuple(_grant(g, fail, "visibility.case") for g in v.case),
            groups={
                name: tuple(_grant(g, fail, f"visibility.groups.{name}") for g in grants)
                for name, grants in v.groups.items()
            },
            consent_exception=tuple(v.consent_exception),
        )
    steps = {sid: _step(step, extras, visibility, fail) for sid, step in route.steps.items()}
    return replace(route, steps=steps, visibility=visibility)


def _step(step: Step, extras: Extras, visibility: Visibility | None, fail: Fail) -> Step:
    where = f"steps.{step.id}"
    model = extras.steps.get(step.id, StepModel())
    fields = []
    for fld in step.fields:
        member = extras.member_fields.get((step.id, fld.id))
        if fld.kind == "member" and member is None:
            raise fail(f"{where}.fields.{fld.id}", "a member field needs roles and assign")
        if member is not None:
            fld = replace(
                fld,
                roles=_roles(member.roles, fail, f"{where}.fields.{fld.id}.roles"),
                multiple=member.multiple,
                assign=member.assign,
            )
        fields.append(fld)
    members = {f.id for f in fields if f.kind == "member"}
    for a in model.assign:
        if a.member_from != ACTOR and a.member_from not in members:
            raise fail(
                f"{where}.assign", f"member_from {a.member_from!r} is neither actor nor a member field"
            )
    if model.group is not None and (visibility is None or model.group not in visibility.groups):
        raise fail(f"{where}.group", f"unknown visibility group {model.group!r}")
    return replace(
        step,
        fields=tuple(fields),
        group=model.group,
        visible=tuple(_grant(g, fail, f"{where}.visible") for g in model.visible),
        acted_by={
            role: tuple(reasons)
            for role, reasons in model.acted_by.items()
            if _roles([role], fail, f"{where}.acted_by")
        },
        assign=tuple(Assign(a.reason, a.member_from) for a in model.assign),
    )


def _grant(g: GrantModel, fail: Fail, where: str) -> Grant:
    return Grant(tuple(g.participants), _roles(g.roles, fail, where), g.when)


def _roles(roles: list[str], fail: Fail, where: str) -> tuple[str, ...]:
    unknown = sorted(set(roles) - ROLES)
    if unknown:
        raise fail(where, f"unknown role(s) {', '.join(unknown)}")
    return tuple(roles)


def _problem(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '-'}: {e['msg']}" for e in exc.errors())
