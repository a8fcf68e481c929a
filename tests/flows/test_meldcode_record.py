"""The Meldcode record read from a case: the five steps with dates and deciders, from the engine's own
golden scenarios (tests/golden/engine/meldcode/ and a hand-over from Vlaardingen)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from flows import inputs as inp
from flows.case import Case
from flows.engine import Result, RouteEngine
from flows.meldcode_record import (
    STEP_NUMBER,
    Decider,
    meldcode_record,
    meldcode_version,
    went_through_meldcode,
)
from flows.registry import builtin_registry
from tests.golden.engine_runner import Scenario, _moment, input_from_data

GOLDEN = Path(__file__).parents[1] / "golden" / "engine"
REGISTRY = builtin_registry()
MELDCODE = REGISTRY.get("meldcode", 1)
NAMES = {2: "Anna", 3: "Ineke", 4: "Dirk", 5: "Aafke"}


def _replay(path: Path, stop: int | None = None) -> Case:
    """The case after the scenario's calls (the first `stop` of them, when given)."""
    scenario = Scenario.load(path)
    engine = RouteEngine(REGISTRY)
    case: Case | None = None
    for call in scenario.calls[:stop]:
        actor = scenario.actors.get(call.get("who", ""))
        now = _moment(call["at"])
        if "start" in call:
            assert actor is not None
            started = engine.start(call["start"], actor, ref=call["ref"], now=now, timezone=scenario.timezone)
            assert isinstance(started, Result)
            case = started.case
            continue
        assert case is not None
        given = inp.Timeout(**call["timeout"]) if "timeout" in call else input_from_data(call["input"])
        case = engine.advance(case, actor, given, now).case
    assert case is not None
    return case


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T08:00:00+00:00")


def test_all_five_steps_taken_with_dates_and_who_decided() -> None:
    case = _replay(GOLDEN / "meldcode" / "help_works.yaml")
    record = meldcode_record(case, MELDCODE, NAMES)
    assert (record.status, record.outcome, record.reports, record.entered_from) == (
        "closed",
        "mc_gemonitord",
        0,
        None,
    )
    assert [(s.number, s.state) for s in record.steps] == [(n, "taken") for n in (1, 2, 3, 4, 5)]
    af, ib, directie = (
        Decider(2, "aandachtsfunctionaris", "Anna"),
        Decider(3, "ib", "Ineke"),
        Decider(4, "directie", "Dirk"),
    )
    assert [s.by for s in record.steps] == [(af,), (af,), (ib,), (af,), (directie, ib)]
    assert record.steps[0].at == _at("2026-11-23")
    # The afwegingskader's answers are on record as choices, the term as a date.
    besluit = next(ln for ln in record.lines if ln.step == "mc_besluit")
    assert besluit.values == {"suspicion": "ja", "unsafety": "nee", "help_possible": "ja"}
    assert next(ln for ln in record.lines if ln.step == "mc_hulp").values["term"] == "2027-01-15"
    # The reminder on the agreed term is on the timeline, by nobody.
    assert any(ln.action == "follow_up:term_due" and ln.by is None for ln in record.lines)


def test_talk_with_the_parents_skipped_for_danger_says_so_and_who_decided() -> None:
    record = meldcode_record(_replay(GOLDEN / "meldcode" / "talk_skipped_for_danger.yaml"), MELDCODE)
    talk = record.steps[2]
    assert (talk.state, talk.reason, talk.by) == ("skipped", "danger", (Decider(3, "ib", None),))
    assert (record.outcome, record.reports) == ("mc_gemeld", 1)


def test_acute_unsafety_skips_to_the_report_and_the_skipped_steps_say_why() -> None:
    record = meldcode_record(_replay(GOLDEN / "meldcode" / "acute_unsafety.yaml"), MELDCODE)
    assert [(s.number, s.state, s.reason) for s in record.steps] == [
        (1, "taken", None),
        (2, "skipped", "acute"),
        (3, "skipped", "acute"),
        (4, "skipped", "acute"),
        (5, "taken", None),  # the report to Veilig Thuis
    ]
    assert record.reports == 1


def test_a_running_meldcode_shows_the_step_it_is_at() -> None:
    path = GOLDEN / "meldcode" / "help_works.yaml"
    case = _replay(path, stop=15)  # step 2 confirmed; step 3 opened
    record = meldcode_record(case, MELDCODE)
    assert record.status == "running" and record.outcome is None
    assert [s.state for s in record.steps] == ["taken", "taken", "open", "not_reached", "not_reached"]


def test_handed_over_from_a_route_shows_only_the_meldcode_and_where_it_came_from() -> None:
    case = _replay(GOLDEN / "vlaardingen" / "meldcode_and_back.yaml")
    assert case.route_id == "vlaardingen" and went_through_meldcode(case, MELDCODE)
    assert meldcode_version(case) == 1
    record = meldcode_record(case, MELDCODE, NAMES)
    assert (record.entered_from, record.outcome, record.status) == ("vlaardingen", "mc_gemeld", "closed")
    assert record.lines[0].action == "entered" and record.lines[-1].action == "returned"
    # Nothing of Vlaardingen's own steps: not the signal's notes, not the contact attempts.
    assert {ln.step for ln in record.lines} <= set(MELDCODE.steps) | {"mc_signalen"}
    assert not any(ln.step.startswith(("gs_", "signaal", "ib_")) for ln in record.lines[1:])


def test_typed_answers_stay_out_even_that_they_exist() -> None:
    case = _replay(GOLDEN / "meldcode" / "help_works.yaml")
    typed = tuple(
        replace(e, summary={**e.summary, "facts": {"text": True}}) if e.step == "mc_signalen" else e
        for e in case.timeline
    )
    record = meldcode_record(case.with_(timeline=typed), MELDCODE)
    assert next(ln for ln in record.lines if ln.step == "mc_signalen").values == {
        "kindcheck": "gedaan",
        "signals": ["letsel"],
    }


def test_a_case_that_never_went_through_the_meldcode_is_not_one() -> None:
    case = _replay(GOLDEN / "vlaardingen" / "happy_path.yaml")
    assert not went_through_meldcode(case, MELDCODE) and meldcode_version(case) is None


def test_every_working_step_of_the_meldcode_belongs_to_one_of_the_five() -> None:
    working = {
        sid for sid, step in MELDCODE.steps.items() if not step.terminal and sid != MELDCODE.start.step
    }
    assert working == set(STEP_NUMBER)
