"""The policy lets the roles a case's current step waits on see the case — and only while it waits on them,
unless they were assigned — so a partner outside the school's VOT can act on what was sent to them."""

from __future__ import annotations

from datetime import UTC, datetime

from flows import policy
from flows.case import Case
from flows.loader import parse_route
from flows.policy import Actor

ROUTE = parse_route(
    """
id: tiny
version: 1
name: {nl: Klein, en: Tiny}
vot: [ib]
start: {command: signaal, roles: [ib], step: a}
steps:
  a: {actors: [ib], title: tiny.step.a, transitions: [{to: b}]}
  b:
    actors: [wijkteamleider]
    title: tiny.step.b
    transitions: [{to: c, effects: [{assign_actor: wijkteamleider}]}]
  c: {actors: [ib], title: tiny.step.c, transitions: [{to: d}]}
  d: {actors: [wijkteamleider], title: tiny.step.d, terminal: true}
""",
    "tiny.yaml",
)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LEAD = Actor(7, 10, frozenset({"wijkteamleider"}))
OTHER_LEAD = Actor(8, 10, frozenset({"wijkteamleider"}))
ELSEWHERE = Actor(9, 11, frozenset({"wijkteamleider"}))


def case(step: str, status: str = "open", assigned: dict[str, int] | None = None) -> Case:
    return Case(
        ref="Z-0001",
        school_id=10,
        route_id="tiny",
        route_version=1,
        step=step,
        status=status,  # type: ignore[arg-type]
        created_by=1,
        created_at=NOW,
        assigned=assigned or {},
    )


def test_a_partner_outside_the_vot_sees_the_case_only_when_it_waits_on_them() -> None:
    assert policy.can_view(LEAD, case("a"), ROUTE) == policy.NOT_FOUND
    assert policy.can_view(LEAD, case("b"), ROUTE)
    assert policy.can_act(LEAD, case("b"), ROUTE, "b")
    assert policy.can_view(ELSEWHERE, case("b"), ROUTE) == policy.NOT_FOUND


def test_after_the_step_only_the_assigned_partner_keeps_access() -> None:
    moved = case("c", assigned={"wijkteamleider": LEAD.member_id})
    assert policy.can_view(LEAD, moved, ROUTE)
    assert policy.can_view(OTHER_LEAD, moved, ROUTE) == policy.NOT_FOUND


def test_drafts_and_closed_cases_do_not_open_up() -> None:
    assert policy.can_view(LEAD, case("b", status="draft"), ROUTE) == policy.NOT_FOUND
    assert policy.can_view(LEAD, case("d", status="closed"), ROUTE) == policy.NOT_FOUND
