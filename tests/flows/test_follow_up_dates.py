"""Follow-ups due on a date a step recorded (`on_date`): the loader checks the reference, the engine
hands the recorded date to the edge, and the Vlaardingen evaluation uses it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows import events as ev
from flows import inputs as inp
from flows.engine import RouteEngine
from flows.loader import RouteError, parse_route
from flows.registry import builtin_registry
from tests.flows.route_driver import NOW, actor, fill, is_status, start

ROUTE = """
id: t
version: 1
name: {nl: T, en: T}
start: {command: s, roles: [leerkracht], step: plan}
steps:
  plan:
    actors: [leerkracht]
    title: t.step.plan
    fields:
      - {id: evaluation, kind: date, prompt: t.ask.evaluation, tense: future}
      - {id: note, kind: text, prompt: t.ask.note, optional: true}
    transitions: [{to: evaluate}]
  evaluate:
    actors: [ib]
    title: t.step.evaluate
    transitions: [{to: done}]
    follow_ups:
      - {id: due, FOLLOW_UP}
  done: {actors: [ib], title: t.step.done, terminal: true}
"""


def load(follow_up: str) -> None:
    parse_route(ROUTE.replace("FOLLOW_UP", follow_up), "t.yaml")


def test_a_date_follow_up_names_a_date_field_of_a_step() -> None:
    load('on_date: plan.evaluation, at: "09:00"')
    with pytest.raises(RouteError, match=r"plan\.note is not a date field"):
        load("on_date: plan.note")
    with pytest.raises(RouteError, match="unknown step 'nowhere'"):
        load("on_date: nowhere.evaluation")
    with pytest.raises(RouteError, match=r"is not a date field like 'step\.field'"):
        load("on_date: evaluation")


def test_a_follow_up_has_a_duration_or_a_date_never_both_and_a_proper_time() -> None:
    with pytest.raises(RouteError, match="either 'after'"):
        load("on_date: plan.evaluation, after: 3 school days")
    with pytest.raises(RouteError, match="either 'after'"):
        load("at: '09:00'")
    with pytest.raises(RouteError, match="not a local time"):
        load("on_date: plan.evaluation, at: '9 uur'")
    with pytest.raises(RouteError, match="elapsed time"):
        load("after: 48 hours, at: '09:00'")
    load("after: 3 school days, at: '09:00'")


@pytest.fixture
def route_engine() -> RouteEngine:
    return RouteEngine(builtin_registry())


def test_the_evaluation_date_of_the_plan_becomes_the_evaluation_deadline(route_engine: RouteEngine) -> None:
    teacher, ib = actor(1, "leerkracht"), actor(2, "ib")
    r = start(
        route_engine,
        "vlaardingen",
        teacher,
        {
            "pupil": "AB 5b",
            "area": "onderwijs",
            "observations": ["leren"],
            "notes": None,
            "safety": "nee",
        },
    )
    r = fill(route_engine, r, ib, {"decision": "plan_op_maat"})
    r = fill(route_engine, r, ib, {"measures": ["extra_lesstof"], "plan": None, "evaluation": "15-01-2027"})
    assert r.case.step == "evaluatie"
    scheduled = [e for e in r.events if isinstance(e, ev.ScheduleFollowUp)]
    assert scheduled == [
        ev.ScheduleFollowUp(r.case.ref, "evaluatie", "evaluation_due", None, "2027-01-15", "09:00")
    ]
    # "Bijsturen": a new plan with a new date cancels the old deadline and sets the new one.
    r = fill(route_engine, r, ib, {"outcome": "bijsturen", "notes": None})
    r = fill(route_engine, r, ib, {"measures": ["extra_lesstof"], "plan": None, "evaluation": "05-02-2027"})
    cancels = [e.step for e in r.events if isinstance(e, ev.CancelFollowUps)]
    assert "plan_op_maat" in cancels
    assert [e.on for e in r.events if isinstance(e, ev.ScheduleFollowUp)] == ["2027-02-05"]


def test_a_reminder_names_its_follow_up(route_engine: RouteEngine) -> None:
    teacher, ib = actor(1, "leerkracht"), actor(2, "ib")
    r = start(
        route_engine,
        "vlaardingen",
        teacher,
        {"pupil": "AB 5b", "area": "zorg", "observations": ["gedrag"], "notes": None, "safety": "nee"},
    )
    r = fill(route_engine, r, ib, {"decision": "extern"})
    later = NOW + timedelta(days=3)
    due = route_engine.advance(r.case, None, inp.Timeout("consent_reminder", "toestemming"), later)
    [notify] = [e for e in due.events if isinstance(e, ev.Notify) and not is_status(e)]
    assert notify.follow_up == "consent_reminder" and notify.step == "toestemming"
