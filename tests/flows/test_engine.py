"""The engine on its own: pure inputs in, case and events out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows import events as ev
from flows import inputs as inp
from flows.engine import Result, RouteEngine
from flows.policy import Actor
from flows.registry import builtin_registry

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TEACHER = Actor(1, 10, frozenset({"leerkracht"}))
IB = Actor(2, 10, frozenset({"ib"}))
SWV = Actor(3, 10, frozenset({"swv"}))
GS = Actor(4, 10, frozenset({"gs"}))
OTHER_SCHOOL_IB = Actor(5, 11, frozenset({"ib"}))


@pytest.fixture(scope="module")
def route_engine() -> RouteEngine:
    return RouteEngine(builtin_registry())


def signal(route_engine: RouteEngine, safety: str = "nee") -> Result:
    started = route_engine.start("vlaardingen", TEACHER, ref="Z-0001", now=NOW)
    assert isinstance(started, Result)
    case = started.case
    for given in (
        inp.Answer("ab 5b"),
        inp.Choose("signaal", "area", "zorg"),
        inp.Toggle("signaal", "observations", "gedrag"),
        inp.Done("signaal", "observations"),
        inp.Answer("Komt vaak moe op school"),
        inp.Choose("signaal", "safety", safety),
    ):
        result = route_engine.advance(case, TEACHER, given, NOW)
        assert not result.refused, result.events
        case = result.case
    return route_engine.advance(case, TEACHER, inp.Confirm("signaal"), NOW)


def run(route_engine: RouteEngine, result: Result, actor: Actor, *given: inp.Input) -> Result:
    for item in given:
        result = route_engine.advance(result.case, actor, item, NOW)
        assert not result.refused, result.events
    return result


def test_signal_opens_case_and_notifies_ib(route_engine: RouteEngine) -> None:
    result = signal(route_engine)
    assert result.case.status == "open"
    assert result.case.step == "ib_beoordeling"
    assert result.case.pupil is not None and result.case.pupil.label == "AB 5b"
    notes = [e for e in result.events if isinstance(e, ev.Notify)]
    assert [(n.roles, n.message) for n in notes] == [(("ib",), "vlaardingen.notify.new_signal")]
    # The timeline keeps that there was free text, not the text.
    assert result.case.timeline[-1].summary["notes"] == {"text": True}


def test_safety_makes_first_priority_and_notifies_three_roles(route_engine: RouteEngine) -> None:
    result = signal(route_engine, safety="ja")
    assert result.case.priority == "first" and "safety" in result.case.flags
    urgent = [e for e in result.events if isinstance(e, ev.Notify) and e.urgent]
    assert urgent and set(urgent[0].roles) == {"ib", "directie", "gs"}


def test_consent_required_before_vot_list_except_safety(route_engine: RouteEngine) -> None:
    opened = signal(route_engine)
    r = run(
        route_engine,
        opened,
        IB,
        inp.Open("ib_beoordeling"),
        inp.Choose("ib_beoordeling", "decision", "extern"),
    )
    assert r.case.step == "toestemming"
    refused = run(
        route_engine,
        r,
        IB,
        inp.Open("toestemming"),
        inp.Choose("toestemming", "method", "telefoon"),
        inp.Choose("toestemming", "result", "refused"),
        inp.Answer("20-11-2026"),
        inp.Confirm("toestemming"),
    )
    assert refused.case.step == "plan_op_maat" and refused.case.consent is not None
    assert refused.case.consent.status == "refused"

    urgent = signal(route_engine, safety="ja")
    r = run(
        route_engine,
        urgent,
        IB,
        inp.Open("ib_beoordeling"),
        inp.Choose("ib_beoordeling", "decision", "extern"),
    )
    assert r.case.step == "vot_lijst" and r.case.consent is None


def test_three_unreachable_attempts_flag_the_family(route_engine: RouteEngine) -> None:
    r = run(
        route_engine,
        signal(route_engine),
        IB,
        inp.Open("ib_beoordeling"),
        inp.Choose("ib_beoordeling", "decision", "extern"),
    )
    for attempt in range(3):
        r = run(
            route_engine,
            r,
            IB,
            inp.Open("toestemming"),
            inp.Choose("toestemming", "method", "telefoon"),
            inp.Choose("toestemming", "result", "unreachable"),
            inp.Answer("23-11"),
            inp.Confirm("toestemming"),
        )
        assert ("non_responsive" in r.case.flags) == (attempt == 2)
    assert r.case.step == "toestemming"


def test_stale_wrong_role_and_other_school_are_refused_without_change(route_engine: RouteEngine) -> None:
    opened = signal(route_engine)
    for actor, given, reason in (
        (TEACHER, inp.Open("ib_beoordeling"), "access.wrong_role"),
        (OTHER_SCHOOL_IB, inp.Open("ib_beoordeling"), "access.not_found"),
        (IB, inp.Open("signaal"), "access.stale"),
        (IB, inp.Choose("ib_beoordeling", "decision", "extern"), "access.stale"),  # nothing opened yet
    ):
        result = route_engine.advance(opened.case, actor, given, NOW)
        assert result.case is opened.case
        assert result.events == (ev.Refused(actor.member_id, reason),)


def test_over_long_text_is_refused(route_engine: RouteEngine) -> None:
    started = route_engine.start("vlaardingen", TEACHER, ref="Z-0002", now=NOW)
    assert isinstance(started, Result)
    r = run(
        route_engine,
        started,
        TEACHER,
        inp.Answer("CD 3"),
        inp.Choose("signaal", "area", "zorg"),
        inp.Toggle("signaal", "observations", "leren"),
        inp.Done("signaal", "observations"),
    )
    result = route_engine.advance(r.case, TEACHER, inp.Answer("x" * 501), NOW)
    assert result.case is r.case
    assert result.events == (ev.Refused(TEACHER.member_id, "input.too_long", {"max": 500, "length": 501}),)


def test_a_full_name_is_not_a_pupil_label(route_engine: RouteEngine) -> None:
    started = route_engine.start("vlaardingen", TEACHER, ref="Z-0003", now=NOW)
    assert isinstance(started, Result)
    result = route_engine.advance(started.case, TEACHER, inp.Answer("Jantje Jansen"), NOW)
    assert result.refused and result.case is started.case


def test_follow_ups_are_scheduled_and_void_after_the_case_moves(route_engine: RouteEngine) -> None:
    r = run(
        route_engine,
        signal(route_engine),
        IB,
        inp.Open("ib_beoordeling"),
        inp.Choose("ib_beoordeling", "decision", "extern"),
    )
    scheduled = [e for e in r.events if isinstance(e, ev.ScheduleFollowUp)]
    assert [s.follow_up for s in scheduled] == ["consent_reminder", "consent_escalation"]
    due = route_engine.advance(
        r.case, None, inp.Timeout("consent_reminder", "toestemming"), NOW + timedelta(days=3)
    )
    assert [e.message for e in due.events if isinstance(e, ev.Notify)] == [
        "vlaardingen.notify.consent_pending"
    ]
    moved = run(
        route_engine,
        r,
        IB,
        inp.Open("toestemming"),
        inp.Choose("toestemming", "method", "telefoon"),
        inp.Choose("toestemming", "result", "given"),
        inp.Answer("23-11-2026"),
        inp.Confirm("toestemming"),
    )
    void = route_engine.advance(moved.case, None, inp.Timeout("consent_reminder", "toestemming"), NOW)
    assert void.events == () and void.case is moved.case


def test_the_happy_path_reaches_the_end(route_engine: RouteEngine) -> None:
    r = run(
        route_engine,
        signal(route_engine),
        IB,
        inp.Open("ib_beoordeling"),
        inp.Choose("ib_beoordeling", "decision", "extern"),
    )
    r = run(
        route_engine,
        r,
        IB,
        inp.Open("toestemming"),
        inp.Choose("toestemming", "method", "telefoon"),
        inp.Choose("toestemming", "result", "given"),
        inp.Answer("23-11-2026"),
        inp.Confirm("toestemming"),
    )
    assert r.case.consent_given and r.case.step == "vot_lijst"
    r = run(
        route_engine, r, SWV, inp.Open("vot_lijst"), inp.Done("vot_lijst", "note"), inp.Confirm("vot_lijst")
    )
    r = run(
        route_engine,
        r,
        GS,
        inp.Open("gs_check"),
        inp.Choose("gs_check", "known", "nee"),
        inp.Confirm("gs_check"),
    )
    r = run(
        route_engine,
        r,
        GS,
        inp.Open("gs_contact"),
        inp.Choose("gs_contact", "channel", "telefoon"),
        inp.Choose("gs_contact", "reached", "ja"),
        inp.Answer("Moeder gesproken"),
        inp.Confirm("gs_contact"),
    )
    r = run(
        route_engine,
        r,
        GS,
        inp.Open("gs_resultaat"),
        inp.Choose("gs_resultaat", "sufficient", "voldoende"),
        inp.Confirm("gs_resultaat"),
    )
    assert r.case.status == "closed" and r.case.step == "afgerond"
    assert any(isinstance(e, ev.CaseClosed) for e in r.events)
