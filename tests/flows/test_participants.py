"""Participants on the engine: who takes part in a case and why, as the route's data says, and the
participation keys of a route file (flows/participation_schema.py)."""

from __future__ import annotations

import pytest
from route_driver import NOW, actor, fill, is_status, start

from flows import events as ev
from flows import inputs as inp
from flows import policy
from flows.engine import RouteEngine
from flows.loader import RouteError, parse_route
from flows.participants import SIGNALLED, from_timeline, members_for, reasons_of
from flows.registry import RouteRegistry, builtin_registry

TINY = """
id: tiny
version: 1
name: {nl: Klein, en: Tiny}
vot: [ib]
start: {command: signaal, roles: [leerkracht], step: a}
visibility:
  consent_exception: [safety]
  case:
    - {participants: [signalled], roles: [ib]}
    - {participants: [coach, regiehouder], when: consent}
  groups:
    school: [{participants: [signalled], roles: [ib]}]
    family: [{roles: [ib]}, {participants: [coach], when: consent}]
steps:
  a:
    actors: [leerkracht]
    title: tiny.step.a
    group: school
    fields: [{id: notes, kind: text, prompt: tiny.ask.notes}]
    transitions: [{to: b}]
  b:
    actors: [ib]
    title: tiny.step.b
    group: school
    acted_by: {}
    assign: [{reason: regiehouder}]
    fields:
      - {id: coach, kind: member, prompt: tiny.ask.coach, roles: [jgc], assign: coach}
      - id: consent
        kind: choice
        prompt: tiny.ask.consent
        options: [{value: given, label: common.opt.yes}]
    transitions:
      - to: c
        requires_consent: true
        effects:
          - record_consent: {status: consent, method: consent, date: consent}
          - notify: {roles: [ib], participants: [coach], message: tiny.notify.assigned}
  c:
    actors: [jgc]
    title: tiny.step.c
    group: family
    acted_by: {jgc: [coach]}
    fields: [{id: plan, kind: text, prompt: tiny.ask.plan}]
    transitions: [{to: d}]
  d: {actors: [ib], title: tiny.step.d, group: school, terminal: true}
"""
TEACHER, COLLEAGUE, IB = actor(1, "leerkracht"), actor(2, "leerkracht"), actor(3, "ib")
COACH, OTHER_COACH = actor(4, "jgc"), actor(5, "jgc")


@pytest.fixture(scope="module")
def route_engine() -> RouteEngine:
    registry = RouteRegistry()
    registry.add(parse_route(TINY, "tiny.yaml"))
    return RouteEngine(registry)


def test_the_route_data_says_who_takes_part_and_the_chosen_coach_alone_acts(
    route_engine: RouteEngine,
) -> None:
    r = start(route_engine, "tiny", TEACHER, {"notes": "Moe."})
    assert reasons_of(r.case, TEACHER.member_id) == {SIGNALLED, "leerkracht"}
    route = route_engine.routes.latest("tiny")
    assert not policy.can_view(COLLEAGUE, r.case, route)  # a colleague teacher is not on the case

    # The IB-er picks one coach; the picked member prompt names the roles the edge offers.
    opened = route_engine.advance(r.case, IB, inp.Open("b"), NOW)
    [prompt] = [e for e in opened.events if isinstance(e, ev.Prompt)]
    assert (prompt.kind, prompt.roles) == ("member", ("jgc",))
    r = fill(route_engine, r, IB, {"coach": COACH.member_id, "consent": "given"})
    assert reasons_of(r.case, IB.member_id) == {"ib", "regiehouder"}
    assert members_for(r.case, ["coach"]) == {COACH.member_id}
    [notify] = [e for e in r.events if isinstance(e, ev.Notify) and not is_status(e)]
    assert (notify.roles, notify.participants) == (("ib",), ("coach",))

    assert policy.can_act(COACH, r.case, route, "c")
    assert policy.can_act(OTHER_COACH, r.case, route, "c") == policy.NOT_FOUND  # not every coach
    assert policy.can_read(COACH, r.case, route, "a")  # whom the open step waits on reads what it needs
    assert not policy.can_read(TEACHER, r.case, route, "c") and policy.can_view(TEACHER, r.case, route)
    r = fill(route_engine, r, COACH, {"plan": "Gesprekken."})
    assert r.case.status == "closed" and policy.can_read(COACH, r.case, route, "c")
    assert not policy.can_read(COACH, r.case, route, "a")  # the teacher's note was for the school


def test_a_member_field_takes_only_member_ids(route_engine: RouteEngine) -> None:
    r = start(route_engine, "tiny", TEACHER, {"notes": "Moe."})
    opened = route_engine.advance(r.case, IB, inp.Open("b"), NOW)
    for given in (inp.Answer("Piet"), inp.Choose("b", "coach", "piet"), inp.Toggle("b", "coach", "4")):
        refused = route_engine.advance(opened.case, IB, given, NOW)
        assert refused.refused and refused.case is opened.case


def test_participants_from_an_old_timeline_are_what_the_engine_would_have_recorded(
    route_engine: RouteEngine,
) -> None:
    r = start(route_engine, "tiny", TEACHER, {"notes": "Moe."})
    r = fill(route_engine, r, IB, {"coach": COACH.member_id, "consent": "given"})
    acted = {
        (p.member_id, p.reason, p.at) for p in r.case.participants if p.reason not in ("coach", "regiehouder")
    }
    assert {(p.member_id, p.reason, p.at) for p in from_timeline(1, NOW, r.case.timeline)} == acted


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("    group: family\n", "    group: nowhere\n"), "unknown visibility group"),
        (("    acted_by: {}\n", "    acted_by: {}\n    colour: red\n"), "colour"),
        (("roles: [jgc], assign: coach", "assign: coach"), "roles"),
        (("  case:\n", "  case:\n    - {roles: [juf]}\n"), "unknown role"),
        (("assign: [{reason: regiehouder}]", "assign: [{reason: x, member_from: nobody}]"), "member_from"),
        (("    - {participants: [coach, regiehouder], when: consent}", "    - {when: later}"), "when"),
    ],
)
def test_the_participation_keys_are_checked(change: tuple[str, str], problem: str) -> None:
    assert change[0] in TINY
    with pytest.raises(RouteError, match=problem):
        parse_route(TINY.replace(*change, 1), "tiny.yaml")


def test_the_safety_exception_is_marked_on_the_timeline() -> None:
    route_engine = RouteEngine(builtin_registry())
    teacher, ib = actor(1, "leerkracht"), actor(2, "ib")
    answers = {"pupil": "AB 5", "area": "zorg", "observations": ["gedrag"], "notes": None, "safety": "ja"}
    r = start(route_engine, "vlaardingen", teacher, answers)
    r = fill(route_engine, r, ib, {"decision": "extern"})
    assert r.case.step == "vot_lijst" and r.case.timeline[-1].summary["consent_exception"] == "safety"
    swv = actor(3, "swv")
    assert policy.can_view(swv, r.case, route_engine.routes.latest("vlaardingen"))


def test_a_gs_may_signal_a_pupil_of_a_family_in_their_care() -> None:
    route_engine = RouteEngine(builtin_registry())
    gs, other_gs, ib = actor(1, "gs"), actor(2, "gs"), actor(3, "ib")
    answers = {
        "pupil": "AB 5",
        "area": "zorg",
        "observations": ["gedrag"],
        "notes": "Bekend gezin.",
        "safety": "nee",
    }
    r = start(route_engine, "vlaardingen", gs, answers)
    route = route_engine.routes.latest("vlaardingen")
    assert r.case.step == "ib_beoordeling" and reasons_of(r.case, gs.member_id) == {SIGNALLED, "gs"}
    assert policy.can_read(gs, r.case, route, "signaal") and policy.can_view(ib, r.case, route)
    assert policy.can_view(other_gs, r.case, route) == policy.NOT_FOUND  # before consent: not the GS role
