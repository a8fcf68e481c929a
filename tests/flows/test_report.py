"""The report model over a fixed set of cases around the kerstvakantie 2026-27 (Sat 19 Dec – Sun 3 Jan in
regio Midden, Vlaardingen's) and weekends. Every expected number is counted by hand in the comments:
school days are counted in (start date, end date], calendar days are the difference of the local dates."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from flows.calendar import AMSTERDAM, load_calendar
from flows.loader import RouteError, builtin_route_files, parse_route
from flows.report import (
    SMALL,
    CaseMoments,
    OpenCase,
    RouteFacts,
    RouteFigures,
    SchoolDayCounter,
    Stat,
    build_report,
    cell,
)

VLAARDINGEN = parse_route(builtin_route_files()["vlaardingen.yaml"], "vlaardingen.yaml")
NOW = datetime(2027, 1, 6, 10, 0, tzinfo=AMSTERDAM)  # Wednesday, the third school day after the holiday


def day(text: str) -> date:
    return date.fromisoformat(text)


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=AMSTERDAM)


def moments(*days: str | None) -> tuple[date | None, ...]:
    # signal, ib_decision, consent, vot_list, first_contact, wijkteam, closed
    padded = [*days, *([None] * (len(VLAARDINGEN.milestones) - len(days)))]
    return tuple(None if d is None else date.fromisoformat(d) for d in padded)


COUNTER = SchoolDayCounter(load_calendar("vlaardingen"))

FACTS = RouteFacts(
    route=VLAARDINGEN,
    moments=(
        # A: signal Thu 17 Dec, IB decision Mon 4 Jan: Fri 18 Dec + Mon 4 Jan = 2 school days, 18 days.
        CaseMoments(1, moments("2026-12-17", "2027-01-04")),
        # B: signal Fri 11 Dec, IB Mon 14 Dec (over a weekend): 1 school day, 3 days;
        #    consent + VOT list Wed 16 Dec: Mon, Tue, Wed = 3 school days, 5 days.
        CaseMoments(1, moments("2026-12-11", "2026-12-14", "2026-12-16", "2026-12-16")),
        # C: signal Mon 14 Dec, IB Tue 15 Dec: 1 and 1; consent + VOT list Tue 5 Jan: 15-18 Dec (4)
        #    + 4, 5 Jan (2) = 6 school days, 22 days.
        CaseMoments(1, moments("2026-12-14", "2026-12-15", "2027-01-05", "2027-01-05")),
        # D: signal and IB decision on Wed 16 Dec: 0 and 0.
        CaseMoments(1, moments("2026-12-16", "2026-12-16")),
        # E, F: signalled, nothing reached yet.
        CaseMoments(1, moments("2026-12-19")),
        CaseMoments(1, moments("2027-01-01")),
    ),
    open_cases=(
        OpenCase(1, "toestemming", day("2027-01-04")),  # A: 5, 6 Jan = 2 school days; 2 days
        OpenCase(1, "gs_check", day("2026-12-17")),  # B: 18 Dec, 4, 5, 6 Jan = 4; 20 days
        OpenCase(1, "vot_lijst", day("2027-01-05")),  # C: 6 Jan = 1; 1 day
        OpenCase(1, "plan_op_maat", day("2026-12-16")),  # D: 17, 18 Dec, 4, 5, 6 Jan = 5; 21 days
        OpenCase(1, "ib_beoordeling", day("2026-12-19")),  # E, a Saturday in the holiday: 3; 18 days
        OpenCase(1, "ib_beoordeling", day("2027-01-01")),  # F, New Year's Day: 4, 5, 6 Jan = 3; 5 days
    ),
    overdue={"toestemming": 1},
    cases=6,
    consent={"given": 2, "unreachable": 1},
    safety=1,
    meldcode=0,
    outcomes={},
)


def school_report(facts: RouteFacts = FACTS) -> RouteFigures:
    return build_report("school", "1", [facts], lambda _school: COUNTER, NOW).routes[0]


def test_open_work_per_step_in_school_and_calendar_days() -> None:
    figures = school_report()
    steps = {s.step: s for s in figures.steps}
    assert "afgerond" not in steps  # a terminal step holds no open work
    ib = steps["ib_beoordeling"]
    assert ib.open == 2
    assert ib.waiting_school_days == Stat(3.0, 3.0, 3.0)
    # calendar days 18 and 5: median 11.5; p90 is the 2nd of 2 (nearest rank ceil(1.8) = 2)
    assert ib.waiting_calendar_days == Stat(11.5, 18.0, 18.0)
    assert steps["toestemming"].open == 1 and steps["toestemming"].overdue == 1
    assert steps["toestemming"].waiting_school_days == Stat(2.0, 2.0, 2.0)
    assert steps["gs_check"].waiting_school_days == Stat(4.0, 4.0, 4.0)
    assert steps["gs_check"].waiting_calendar_days == Stat(20.0, 20.0, 20.0)
    assert steps["vot_lijst"].waiting_school_days == Stat(1.0, 1.0, 1.0)
    assert steps["plan_op_maat"].waiting_school_days == Stat(5.0, 5.0, 5.0)
    assert steps["plan_op_maat"].waiting_calendar_days == Stat(21.0, 21.0, 21.0)
    assert steps["gs_contact"].open == 0 and steps["gs_contact"].waiting_school_days == Stat()


def test_lead_times_from_the_signal_to_each_milestone() -> None:
    lead = {m.milestone: m for m in school_report().lead_times}
    assert list(lead) == ["ib_decision", "consent", "vot_list", "first_contact", "wijkteam", "closed"]
    # IB decision: school days A 2, B 1, C 1, D 0 → sorted 0 1 1 2: median 1, p90 the 4th (ceil 3.6) = 2.
    assert lead["ib_decision"].reached == 4
    assert lead["ib_decision"].school_days == Stat(1.0, 2.0, 2.0)
    # calendar days 18, 3, 1, 0 → 0 1 3 18: median 2, p90 18.
    assert lead["ib_decision"].calendar_days == Stat(2.0, 18.0, 18.0)
    # consent: B 3, C 6 school days (5 and 22 days): median 4.5, p90 the 2nd of 2.
    assert lead["consent"].school_days == Stat(4.5, 6.0, 6.0)
    assert lead["consent"].calendar_days == Stat(13.5, 22.0, 22.0)
    assert lead["vot_list"] == lead["consent"].__class__(
        "vot_list", "report.milestone.vot_list", 2, Stat(4.5, 6.0, 6.0), Stat(13.5, 22.0, 22.0)
    )
    assert lead["first_contact"].reached == 0 and lead["first_contact"].school_days == Stat()


def test_counts_per_consent_safety_and_outcome() -> None:
    figures = school_report()
    assert figures.cases == 6
    assert figures.consent == (("given", 2), ("refused", 0), ("unreachable", 1))
    assert (figures.safety, figures.meldcode) == (1, 0)


def test_region_level_hides_small_cells_and_their_statistics() -> None:
    report = build_report("region", "vlaardingen", [FACTS], lambda _school: COUNTER, NOW)
    figures = report.routes[0]
    assert report.small_cells
    steps = {s.step: s for s in figures.steps}
    assert steps["ib_beoordeling"].open == SMALL
    assert steps["ib_beoordeling"].waiting_school_days == Stat(withheld=True)
    assert steps["gs_contact"].open == 0  # zero describes nobody
    assert figures.cases == 6
    assert figures.consent == (("given", SMALL), ("refused", 0), ("unreachable", SMALL))
    lead = {m.milestone: m for m in figures.lead_times}
    assert lead["ib_decision"].reached == SMALL and lead["ib_decision"].school_days.withheld


def test_five_cases_are_shown_at_region_level() -> None:
    assert cell(5, small_cells=True) == 5 and cell(4, small_cells=True) == SMALL
    assert Stat.of([1, 2, 3, 4, 10], small_cells=True) == Stat(3.0, 10.0, 10.0)


def test_counter_agrees_with_the_calendar() -> None:
    calendar = load_calendar("vlaardingen")
    counter = SchoolDayCounter(calendar)
    rng = random.Random(18)
    for _ in range(300):
        a = date(2026, 8, 1) + timedelta(days=rng.randrange(400))
        b = a + timedelta(days=rng.randrange(-60, 60))
        assert counter.between(a, b) == calendar.school_days_between(a, b), (a, b)


def test_every_shipped_route_declares_milestones_from_its_signal() -> None:
    """Lead times start at the signal: the move from the start step, or for a route other routes hand cases
    over to (the Meldcode), the move into its entry step, which both kinds of case make."""
    for name, text in builtin_route_files().items():
        route = parse_route(text, name)
        assert len(route.milestones) >= 3, name
        first = route.milestones[0]
        if route.entry is None:
            assert first.from_steps == (route.start.step,), name
        else:
            assert (first.from_steps, first.to_steps) == ((), (route.entry,)), name
            assert route.step(route.start.step).transitions[-1].to == route.entry, name
        assert route.milestones[-1].closed, name


def test_a_milestone_naming_an_unknown_step_is_located() -> None:
    text = builtin_route_files()["vlaardingen.yaml"].replace(
        "from: toestemming, to: vot_lijst}", "from: toestemming, to: vot_lst}"
    )
    with pytest.raises(RouteError) as caught:
        parse_route(text, "vlaardingen.yaml")
    assert (caught.value.where, caught.value.problem) == ("milestones[2].to", "unknown step 'vot_lst'")
