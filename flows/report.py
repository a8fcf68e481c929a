"""How the route runs: open work per step, overdue follow-ups and lead times between the route's milestones,
in school days on each school's calendar and in calendar days. Aggregates only: the input is moments and
counts per case (never a ref, a label or anything people wrote) and the output is counts and statistics.

Pure: storage gathers the rows with SQL aggregates, this module counts the days and applies the small-cell
rule, the edge renders. Definitions (docs/report.md):
- waiting: school days in (the local date the case entered its step, today], as `school_days_between`;
- lead time: from the route's first milestone (the signal) to each later one, school days the same way and
  calendar days as the difference of the local dates;
- median: the middle value (the mean of the two middle ones for an even count); p90: nearest rank, the
  ceil(0.9 n)-th smallest; max: the largest;
- small cells: with `small_cells` on (region level) a count of 1 to 4 is shown as "< 5", and statistics
  over fewer than 5 cases are withheld, since the max of two waits describes a child.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from flows.calendar import SchoolCalendar
from flows.route import Route

SMALL = "< 5"
SMALL_CELL_LIMIT = 5
Level = Literal["school", "route", "region"]
Cell = int | str  # a count, or SMALL


class SchoolDayCounter:
    """`SchoolCalendar.school_days_between` in O(1): a running count of school days per date, built once
    per calendar over the span the report needs (a region report counts days for 100,000 cases)."""

    def __init__(self, calendar: SchoolCalendar) -> None:
        self.calendar = calendar
        self._start: date | None = None
        self._cumulative: list[int] = []  # school days in (self._start, self._start + k]

    def _cover(self, first: date, last: date) -> None:
        start = self._start
        if start is not None and start <= first and (last - start).days < len(self._cumulative):
            return
        if start is not None:
            first, last = min(first, start), max(last, start + timedelta(len(self._cumulative) - 1))
        start = first - timedelta(days=1)
        running, table = 0, []
        for k in range((last - start).days + 1):
            running += k > 0 and self.calendar.is_school_day(start + timedelta(days=k))
            table.append(running)
        self._start, self._cumulative = start, table

    def between(self, a: date, b: date) -> int:
        """School days in the half-open span (a, b]; negative when b is before a."""
        start = self._start
        if start is None or a < start or b < start or max(a, b) - start >= timedelta(len(self._cumulative)):
            self._cover(min(a, b), max(a, b))
            start = self._start
            assert start is not None
        return self._cumulative[(b - start).days] - self._cumulative[(a - start).days]

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.calendar.timezone).date()


@dataclass(frozen=True)
class Stat:
    """Median, 90th percentile and maximum of some day counts; None when there is nothing (or too little,
    under the small-cell rule) to show."""

    median: float | None = None
    p90: float | None = None
    max: float | None = None
    withheld: bool = False  # True: fewer than 5 cases under the small-cell rule

    @classmethod
    def of(cls, values: Sequence[float], *, small_cells: bool = False) -> Stat:
        if not values:
            return cls()
        if small_cells and len(values) < SMALL_CELL_LIMIT:
            return cls(withheld=True)
        ordered = sorted(values)
        rank = max(1, math.ceil(0.9 * len(ordered)))
        return cls(float(statistics.median(ordered)), float(ordered[rank - 1]), float(ordered[-1]))

    @classmethod
    def of_counts(cls, counts: Mapping[int, int], *, small_cells: bool = False) -> Stat:
        """`of` over values given as value -> how many times (a region report's 100,000 cases share a few
        hundred day counts): the same median, p90 and max without expanding them."""
        n = sum(counts.values())
        if not n:
            return cls()
        if small_cells and n < SMALL_CELL_LIMIT:
            return cls(withheld=True)
        ordered = sorted(counts.items())

        def kth(k: int) -> int:  # the k-th smallest value, 1-based
            seen = 0
            for value, times in ordered:
                seen += times
                if seen >= k:
                    return value
            raise AssertionError(k)

        median = kth((n + 1) // 2) if n % 2 else (kth(n // 2) + kth(n // 2 + 1)) / 2
        rank = max(1, math.ceil(0.9 * n))
        return cls(float(median), float(kth(rank)), float(ordered[-1][0]))


def cell(count: int, *, small_cells: bool) -> Cell:
    """A count as shown: 1 to 4 becomes "< 5" under the small-cell rule; 0 stays 0 (it describes nobody)."""
    return SMALL if small_cells and 0 < count < SMALL_CELL_LIMIT else count


# -- input: what storage gathers per case -----------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    """An open case: its school, the step it waits on and since which local date."""

    school_id: int
    step: str
    entered_on: date
    count: int = 1  # storage groups the cases of one calendar, step and date into one row


@dataclass(frozen=True)
class CaseMoments:
    """The local dates one case first reached each of the route's milestones (aligned with
    `route.milestones`). Dates, not moments: days are counted on local dates, and 100,000 cases are
    converted once per hour of the day in storage rather than once per value here."""

    school_id: int
    days: tuple[date | None, ...]
    count: int = 1  # storage groups cases with the same calendar and dates into one row


@dataclass(frozen=True)
class RouteFacts:
    """Everything a report on one route needs, as storage gathers it (counts are already aggregates)."""

    route: Route
    open_cases: Sequence[OpenCase] = ()
    overdue: Mapping[str, int] = field(default_factory=dict)  # step -> pending follow-ups past due
    moments: Sequence[CaseMoments] = ()
    cases: int = 0  # cases signalled in the period
    consent: Mapping[str, int] = field(default_factory=dict)  # given / refused / unreachable -> cases
    safety: int = 0  # cases on the safety route
    meldcode: int = 0  # safety route and the family does not respond: the Meldcode obliges a report
    outcomes: Mapping[str, int] = field(default_factory=dict)  # outcome -> cases closed in the period


# -- output -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepFigures:
    step: str
    title: str  # msgid
    open: Cell
    waiting_school_days: Stat
    waiting_calendar_days: Stat
    overdue: Cell


@dataclass(frozen=True)
class LeadTime:
    milestone: str
    label: str  # msgid
    reached: Cell
    school_days: Stat
    calendar_days: Stat


@dataclass(frozen=True)
class RouteFigures:
    route_id: str
    cases: Cell
    steps: tuple[StepFigures, ...]
    lead_times: tuple[LeadTime, ...]
    consent: tuple[tuple[str, Cell], ...]
    safety: Cell
    meldcode: Cell
    outcomes: tuple[tuple[str, Cell], ...]


@dataclass(frozen=True)
class Report:
    level: Level
    scope: str  # the school's id, the route id or the region's name
    period: tuple[date | None, date | None]
    as_of: datetime
    small_cells: bool
    routes: tuple[RouteFigures, ...]


CONSENT_STATUSES = ("given", "refused", "unreachable")


def small_cells_apply(level: Level) -> bool:
    """The small-cell rule holds above a single school, where a reader does not know the children."""
    return level == "region"


def route_figures(
    facts: RouteFacts,
    calendar_of: Callable[[int], SchoolDayCounter],
    now: datetime,
    *,
    small_cells: bool,
) -> RouteFigures:
    """The figures for one route. `calendar_of(school_id)` gives each school's day counter."""
    route = facts.route
    return RouteFigures(
        route_id=route.id,
        cases=cell(facts.cases, small_cells=small_cells),
        steps=_step_figures(facts, calendar_of, now, small_cells),
        lead_times=_lead_times(facts, calendar_of, small_cells),
        consent=tuple((s, cell(facts.consent.get(s, 0), small_cells=small_cells)) for s in CONSENT_STATUSES),
        safety=cell(facts.safety, small_cells=small_cells),
        meldcode=cell(facts.meldcode, small_cells=small_cells),
        outcomes=tuple(
            (outcome, cell(n, small_cells=small_cells)) for outcome, n in sorted(facts.outcomes.items())
        ),
    )


def _step_figures(
    facts: RouteFacts, calendar_of: Callable[[int], SchoolDayCounter], now: datetime, small_cells: bool
) -> tuple[StepFigures, ...]:
    school_waits: dict[str, dict[int, int]] = {}
    calendar_waits: dict[str, dict[int, int]] = {}
    todays: dict[int, date] = {}
    for case in facts.open_cases:
        counter = calendar_of(case.school_id)
        today = todays.get(id(counter)) or todays.setdefault(id(counter), counter.local_date(now))
        entered = case.entered_on
        _add(school_waits.setdefault(case.step, {}), counter.between(entered, today), case.count)
        _add(calendar_waits.setdefault(case.step, {}), (today - entered).days, case.count)
    out = []
    for step in facts.route.steps.values():
        if step.terminal:
            continue
        waits = school_waits.get(step.id, {})
        calendar = calendar_waits.get(step.id, {})
        out.append(
            StepFigures(
                step=step.id,
                title=step.title,
                open=cell(sum(waits.values()), small_cells=small_cells),
                waiting_school_days=Stat.of_counts(waits, small_cells=small_cells),
                waiting_calendar_days=Stat.of_counts(calendar, small_cells=small_cells),
                overdue=cell(facts.overdue.get(step.id, 0), small_cells=small_cells),
            )
        )
    return tuple(out)


def _lead_times(
    facts: RouteFacts, calendar_of: Callable[[int], SchoolDayCounter], small_cells: bool
) -> tuple[LeadTime, ...]:
    milestones = facts.route.milestones
    school: list[dict[int, int]] = [{} for _ in milestones]
    calendar: list[dict[int, int]] = [{} for _ in milestones]
    for case in facts.moments:
        start = case.days[0] if case.days else None
        if start is None:
            continue
        counter = calendar_of(case.school_id)
        for k, end in enumerate(case.days[1:], start=1):
            if end is None or end < start:
                continue
            _add(school[k], counter.between(start, end), case.count)
            _add(calendar[k], (end - start).days, case.count)
    return tuple(
        LeadTime(
            milestone=m.id,
            label=m.label,
            reached=cell(sum(school[k].values()), small_cells=small_cells),
            school_days=Stat.of_counts(school[k], small_cells=small_cells),
            calendar_days=Stat.of_counts(calendar[k], small_cells=small_cells),
        )
        for k, m in enumerate(milestones)
        if k > 0
    )


def _add(counts: dict[int, int], value: int, times: int) -> None:
    counts[value] = counts.get(value, 0) + times


def build_report(
    level: Level,
    scope: str,
    facts: Iterable[RouteFacts],
    calendar_of: Callable[[int], SchoolDayCounter],
    now: datetime,
    period: tuple[date | None, date | None] = (None, None),
) -> Report:
    small = small_cells_apply(level)
    return Report(
        level=level,
        scope=scope,
        period=period,
        as_of=now,
        small_cells=small,
        routes=tuple(route_figures(f, calendar_of, now, small_cells=small) for f in facts),
    )
