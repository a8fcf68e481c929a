"""The route file's participation keys as schema models: `visibility` (route), `group`, `visible`,
`acted_by` and `assign` (step), and the `member` field's `roles`, `multiple` and `assign`
(docs/privacy.md). flows/route_schema.py holds them on its models; `problems` checks what a schema cannot
say: that groups, member fields and roles named here exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from flows.file_schema import FileModel
from flows.participants import ACTOR, Assign, Grant, Visibility
from flows.roles import ROLES
from flows.route import Route


class GrantSpec(FileModel):
    """These participants (by reason) or holders of these roles; `when: consent` only once the parents
    consented (or a `consent_exception` flag is set)."""

    participants: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    when: Literal["always", "consent"] = "always"

    def build(self) -> Grant:
        return Grant(self.participants, self.roles, self.when)


class VisibilitySpec(FileModel):
    """Who sees a case (`case`) and reads each group of its answers (`groups`)."""

    case: tuple[GrantSpec, ...] = Field(min_length=1)
    groups: dict[str, tuple[GrantSpec, ...]] = Field(default_factory=dict)
    consent_exception: tuple[str, ...] = Field((), description="flags that stand in for consent")

    def build(self) -> Visibility:
        return Visibility(
            case=tuple(g.build() for g in self.case),
            groups={name: tuple(g.build() for g in grants) for name, grants in self.groups.items()},
            consent_exception=self.consent_exception,
        )


class AssignSpec(FileModel):
    """On submit, the member named by `member_from` (`actor`, or a member field) takes part for `reason`."""

    reason: str
    member_from: str = ACTOR

    def build(self) -> Assign:
        return Assign(self.reason, self.member_from)


def problems(route: Route) -> Iterator[tuple[str, str]]:
    """(where, problem) for every unknown role, group or member field the participation keys name."""
    grants: list[tuple[str, Grant]] = []
    if route.visibility is not None:
        grants += [("visibility.case", g) for g in route.visibility.case]
        for name, group in route.visibility.groups.items():
            grants += [(f"visibility.groups.{name}", g) for g in group]
    for step in route.steps.values():
        where = f"steps.{step.id}"
        grants += [(f"{where}.visible", g) for g in step.visible]
        for role in step.acted_by:
            if role not in ROLES:
                yield f"{where}.acted_by", f"unknown role {role!r}"
        if step.group is not None and (route.visibility is None or step.group not in route.visibility.groups):
            yield f"{where}.group", f"unknown visibility group {step.group!r}"
        members = {f.id for f in step.fields if f.kind == "member"}
        for f in step.fields:
            if f.kind == "member" and (not f.roles or f.assign is None):
                yield f"{where}.fields.{f.id}", "a member field needs roles and assign"
            if f.kind != "member" and (f.roles or f.assign or f.multiple):
                yield f"{where}.fields.{f.id}", "roles, multiple and assign are for member fields"
            for role in f.roles:
                if role not in ROLES:
                    yield f"{where}.fields.{f.id}.roles", f"unknown role {role!r}"
        for a in step.assign:
            if a.member_from != ACTOR and a.member_from not in members:
                yield f"{where}.assign", f"member_from {a.member_from!r} is neither actor nor a member field"
    for where, grant in grants:
        for role in grant.roles:
            if role not in ROLES:
                yield where, f"unknown role {role!r}"
