"""A route hands a case to another route and takes it back (the Meldcode as a sub-route): who may see and
read what on the way, and that storage keeps the routes the case returns to. The engine's events and the
final case are the golden scenario tests/golden/engine/vlaardingen/meldcode_and_back.yaml; these tests
stop that scenario at its moments and ask the access policy, and save the case half-way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.i18n import make_i18n
from bot.render.case_view import CaseContext, render_case
from bot.render.presenter import Presenter
from bot.render.text import Translator
from bot.settings import Settings
from flows import inputs as inp
from flows import policy
from flows.case import Case, RouteFrame
from flows.clock import FrozenClock
from flows.engine import Result, RouteEngine
from flows.registry import builtin_registry
from flows.route import Route
from storage.db import create_engine, make_sessionmaker
from storage.uow import UnitOfWork
from tests.golden.engine_runner import Scenario, _moment, input_from_data
from tests.harness import BotHarness

SCENARIO = Path(__file__).parent / "golden" / "engine" / "vlaardingen" / "meldcode_and_back.yaml"
REGISTRY = builtin_registry()


def _case_after(call_text: str) -> tuple[Case, Scenario]:
    """The case right after the first call whose input mentions `call_text` (e.g. a step id)."""
    scenario = Scenario.load(SCENARIO)
    engine = RouteEngine(REGISTRY)
    case: Case | None = None
    for call in scenario.calls:
        actor = scenario.actors.get(call.get("who", ""))
        if "start" in call:
            assert actor is not None
            started = engine.start(call["start"], actor, ref=call["ref"], now=_moment(call["at"]))
            assert isinstance(started, Result)
            case = started.case
            continue
        assert case is not None
        given = input_from_data(call["input"])
        case = engine.advance(case, actor, given, _moment(call["at"])).case
        if call_text in str(call["input"]):
            return case, scenario
    raise AssertionError(f"no call mentions {call_text!r}")


SCHOOL = CaseContext(school_name="De Regenboog")


def _route(case: Case) -> Route:
    return REGISTRY.get(case.route_id, case.route_version)


def test_in_the_meldcode_the_teacher_sees_that_it_is_followed_not_the_weighing() -> None:
    case, scenario = _case_after("mc_besluit")  # the IB-er opened the decision: weighing recorded
    actors = scenario.actors
    route = _route(case)
    assert (case.route_id, case.stack) == ("meldcode", (RouteFrame("vlaardingen", 1, "gs_resultaat"),))
    juf, gs, af, ib = actors["juf"], actors["gs"], actors["af"], actors["ib"]
    # The teacher who signalled: the status view (step, who acts), never the signals or the weighing.
    assert policy.can_view(juf, case, route)
    assert not policy.can_read(juf, case, route, "mc_wegen")
    assert not policy.can_read(juf, case, route, "mc_signalen")
    # The aandachtsfunctionaris and the IB-er read the Meldcode's records.
    assert all(policy.can_read(a, case, route, "mc_wegen") for a in (af, ib))
    # The GS holds the family contact in Vlaardingen (assigned): like the teacher, the status only;
    # and the Vlaardingen steps wait (nobody acts on them while the Meldcode runs).
    assert policy.can_view(gs, case, route)
    assert not policy.can_read(gs, case, route, "mc_wegen")
    assert not policy.can_act(gs, case, route, "gs_resultaat")
    # While in the Meldcode, the calling route's answers are not read through the Meldcode's rules.
    assert not policy.can_read(af, case, route, "gs_check")


def test_back_in_the_calling_route_the_meldcode_records_stay_closed() -> None:
    case, scenario = _case_after("'value': 'hulp'")  # Veilig Thuis's decision chosen, not yet confirmed
    engine = RouteEngine(REGISTRY)
    af, gs, juf = scenario.actors["af"], scenario.actors["gs"], scenario.actors["juf"]
    back = engine.advance(
        case, af, inp.Confirm("mc_vt_reactie"), case.step_entered_at or case.created_at
    ).case
    route = _route(back)
    assert (back.route_id, back.step, back.stack, back.status) == ("vlaardingen", "gs_resultaat", (), "open")
    assert policy.can_act(gs, back, route, "gs_resultaat")
    # Vlaardingen's groups say nothing about the Meldcode's steps: only who wrote them reads them there.
    assert not policy.can_read(gs, back, route, "mc_wegen")
    assert not policy.can_read(juf, back, route, "mc_besluit")
    assert policy.can_read(af, back, route, "mc_wegen")
    # The Meldcode's recorded answers and its steps on the timeline stay with the case (its history).
    assert "mc_besluit" in back.data and any(e.action == "returned:meldcode" for e in back.timeline)


async def test_storage_keeps_the_route_the_case_returns_to(database_url: str) -> None:
    case, _ = _case_after("mc_besluit")
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        school = await uow.schools.add(name="School", kind="po", route_id="vlaardingen", now=case.created_at)
        member = await uow.members.add(
            telegram_user_id=None, display_name="M", language="nl", now=case.created_at
        )
        await uow.session.flush()
        mine = replace(case, school_id=school.id, created_by=member.id, participants=(), timeline=())
        await uow.cases.save(mine, case.created_at, ())
        await uow.commit()
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        loaded = await uow.cases.get(case.ref)
    await engine.dispose()
    assert loaded is not None
    assert (loaded.route_id, loaded.route_version, loaded.step) == ("meldcode", 1, "mc_besluit")
    assert loaded.stack == (RouteFrame("vlaardingen", 1, "gs_resultaat"),)


def test_the_teachers_case_view_shows_the_meldcode_is_followed_and_by_whom_not_the_weighing() -> None:
    case, scenario = _case_after("mc_besluit")
    t = Translator(make_i18n("nl"), "nl")
    juf, context = scenario.actors["juf"], CaseContext(school_name="De Regenboog")
    # The case page and its timeline (behind a button since /zaak became readable).
    text = (
        render_case(t, _route(case), case, juf, context)[0]
        + render_case(t, _route(case), case, juf, context, "t")[0]
    )
    assert "naar de Meldcode" in text  # the hand-over, on the timeline
    assert "Stap 4: wegen" in text and "aandachtsfunctionaris" in text  # that it is followed, and by whom
    assert "ernstig" not in text and "Blauwe" not in text  # not the weighing, not what was recorded
    ib_text, _ = render_case(
        t, _route(case), case, scenario.actors["ib"], CaseContext(school_name="De Regenboog", names={})
    )
    assert "ernstig" in ib_text  # the IB-er reads the weighing


# -- "Meldcode starten": the case action on every shipped route -----------------------------------------
SHIPPED = ("vlaardingen", "mvs_po", "rotterdam_po", "rotterdam_vo", "smwplus")
T0 = datetime(2026, 11, 23, 8, tzinfo=UTC)


def _open_case(route: Route) -> Case:
    """A signalled case of `route`, waiting on the step after the signal (created by member 1, a teacher)."""
    step = route.step(route.start.step).transitions[-1].to
    assert step is not None
    return Case("Z-0001", 1, route.id, route.version, step, "open", 1, T0, step_entered_at=T0)


def _second_line(route: Route) -> str:
    """The IB-er, or the zorgcoördinator where the route names that role (Rotterdam VO)."""
    return "zorgcoordinator" if route.id == "rotterdam_vo" else "ib"


def _buttons(route: Route, case: Case, actor: policy.Actor) -> list[str]:
    t = Translator(make_i18n("nl"), "nl")
    _, keyboard = render_case(t, route, case, actor, SCHOOL)
    return [b.text for row in (keyboard.inline_keyboard if keyboard else []) for b in row]


@pytest.mark.parametrize("route_id", SHIPPED)
def test_the_second_line_may_start_the_meldcode_on_every_route_and_is_asked_first(route_id: str) -> None:
    engine = RouteEngine(REGISTRY)
    route = REGISTRY.latest(route_id)
    case = _open_case(route)
    action = route.actions["meldcode_starten"]
    allowed = [policy.Actor(m, 1, frozenset({r})) for m, r in ((2, _second_line(route)), (3, "directie"))]
    allowed.append(policy.Actor(5, 1, frozenset({"aandachtsfunctionaris"})))
    for actor in allowed:
        assert policy.can_do_action(actor, case, route, action, case.step), (route_id, actor.roles)
        assert "Meldcode starten" in _buttons(route, case, actor)
    # The teacher who signalled sees the case, but the Meldcode is the second line's to start.
    juf = policy.Actor(1, 1, frozenset({"leerkracht", "mentor"}))
    assert policy.can_view(juf, case, route)
    assert not policy.can_do_action(juf, case, route, action, case.step)
    assert "Meldcode starten" not in _buttons(route, case, juf)
    # It alerts the Meldcode's people, so the press is confirmed first ("Weet je het zeker?").
    assert "aandachtsfunctionaris" in engine.alerts(action)
    # The aandachtsfunctionaris sees that the case exists (to start it), not what the route recorded.
    af = allowed[-1]
    assert not any(policy.can_read(af, case, route, sid) for sid in route.steps if sid != route.start.step)

    started = engine.advance(case, allowed[0], inp.DoAction("meldcode_starten", case.step), T0)
    inside = started.case
    assert (inside.route_id, inside.step) == ("meldcode", "mc_signalen")
    assert inside.stack[-1].return_to == case.step  # back where it was, when the Meldcode closes
    # Who started it is on record: the action, by the member in their role, then the hand-over.
    by = [(e.action, e.member_id, e.role) for e in inside.timeline]
    assert by == [("action:meldcode_starten", 2, _second_line(route)), ("enter_route:meldcode", 2, None)]
    # Already in the Meldcode: not offered again, and a stale button does nothing.
    meldcode = REGISTRY.get("meldcode", 1)
    assert all("Meldcode starten" not in _buttons(meldcode, inside, a) for a in allowed)
    again = engine.advance(inside, allowed[0], inp.DoAction("meldcode_starten", "mc_signalen"), T0)
    assert again.refused and again.case == inside


async def test_the_press_on_the_meldcodes_last_step_renders_after_the_return(database_url: str) -> None:
    """The aandachtsfunctionaris confirms Veilig Thuis's decision: the case is back in Vlaardingen when
    the press is answered, and the edited question still names the Meldcode's step."""
    case, scenario = _case_after("'value': 'hulp'")
    route_engine = RouteEngine(REGISTRY)
    af = scenario.actors["af"]
    result = route_engine.advance(case, af, inp.Confirm("mc_vt_reactie"), T0)
    assert result.case.route_id == "vlaardingen"
    assert route_engine.route_of_step(result.case, "mc_vt_reactie").id == "meldcode"
    db = create_engine(database_url)
    try:
        async with UnitOfWork(make_sessionmaker(db)) as uow:
            presenter = Presenter(Translator(make_i18n("nl"), "nl"), route_engine, uow, T0)
            (edited, _), _ = await presenter.after_press(
                result.case, af.member_id, "mc_vt_reactie", list(result.events)
            )
    finally:
        await db.dispose()
    assert "Besluit van Veilig Thuis" in edited and "Veilig Thuis zet hulp in" in edited


async def test_starting_the_meldcode_from_the_case_page_asks_first_and_tells_its_people(
    settings: Settings, clock: FrozenClock
) -> None:
    """Through the bot: the IB-er presses "Meldcode starten" on /zaak, is asked "Weet je het zeker?" naming
    whom it alerts, says yes; the aandachtsfunctionaris is told, the case is in the Meldcode, and the page
    no longer offers it. The teacher who signalled was never offered it."""
    juf, ib, af = 41, 42, 45
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(juf, "leerkracht", school_id=school)
        await h.register(ib, "ib", school_id=school, name="Ineke")
        await h.register(af, "aandachtsfunctionaris", school_id=school)
        await h.send(juf, "/signaal")
        await h.send(juf, "AB 5b")
        for button in ("Zorg (thuis)", "☐ Gedrag", "Klaar", "Overslaan", "Nee", "Bevestigen"):
            await h.press(juf, button)
        h.received(ib)
        h.received(af)
        await h.send(juf, "/zaak Z-0001")
        assert "Meldcode starten" not in h.buttons(juf)

        await h.send(ib, "/zaak Z-0001")
        await h.press(ib, "Meldcode starten")
        asked = h.last(ib)
        assert (
            asked.startswith("Weet je het zeker? Dit stuurt een melding naar:")
            and "aandachtsfunctionaris" in asked
        )
        assert h.received(af) == []  # nothing happens before the yes
        await h.press(ib, "Ja, versturen")
        assert any("Meldcode" in m for m in h.received(af))
        async with h.uow() as uow:
            [case] = await uow.cases.all()
        assert (case.route_id, case.step, case.stack[-1].return_to) == (
            "meldcode",
            "mc_signalen",
            "ib_beoordeling",
        )
        started = next(e for e in case.timeline if e.action == "action:meldcode_starten")
        assert started.role == "ib" and started.member_id is not None
        await h.send(ib, "/zaak Z-0001")
        assert "Meldcode starten" not in h.buttons(ib)
