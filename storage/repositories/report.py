"""What the route report (flows/report.py) needs, gathered with SQL aggregates and narrow selects: never a
whole case, never the sealed content, never a ref or a pupil. Never commits.

"Cases" here are signalled cases (open or closed; a draft was never signalled, a cancelled draft never
counted), and the period filters them by when they were created (the teacher's signal)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from flows.report import CaseMoments, OpenCase
from flows.route import Milestone
from storage.models.case import CaseRow, FirstMoveRow
from storage.models.follow_up import FollowUpRow

SIGNALLED = ("open", "closed")


@dataclass(frozen=True)
class Scope:
    """Which cases: these schools, one route, created in [since, until) (None: unbounded)."""

    school_ids: Sequence[int]
    route_id: str
    since: datetime | None = None
    until: datetime | None = None
    # school id -> the school whose calendar it counts on (the first of its region): rows are grouped per
    # calendar, not per school. Absent: every school on its own.
    calendar_school: Mapping[int, int] | None = None


@dataclass(frozen=True)
class CaseCounts:
    cases: int
    consent: dict[str, int]
    safety: int
    meldcode: int
    outcomes: dict[str, int]


class LocalDays:
    """Moments as the driver returns them (UTC: text on SQLite, a naive datetime on PostgreSQL) → local
    dates in `zone`. A report converts hundreds of thousands of moments; they share a few thousand hours,
    so the conversion is cached per UTC hour instead of parsing and shifting every value."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._by_hour: dict[object, date] = {}

    def __call__(self, value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, str):
            key: object = value[:13]
        else:
            assert isinstance(value, datetime)
            key = (value.year, value.month, value.day, value.hour)
        day = self._by_hour.get(key)
        if day is None:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            assert isinstance(moment, datetime)
            day = self._by_hour[key] = moment.replace(tzinfo=UTC).astimezone(self.zone).date()
        return day


def _raw(column: Any) -> Any:
    """The column without UTCDateTime's per-value processing (LocalDays reads the raw value)."""
    return type_coerce(column, String())


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def route_ids(self, school_ids: Sequence[int]) -> list[str]:
        """The routes these schools' signalled cases run on (a school may have changed route)."""
        if not school_ids:
            return []
        rows = await self.session.scalars(
            select(CaseRow.route_id)
            .where(CaseRow.school_id.in_(school_ids), CaseRow.status.in_(SIGNALLED))
            .distinct()
            .order_by(CaseRow.route_id)
        )
        return list(rows)

    async def open_cases(self, scope: Scope, zone: ZoneInfo) -> list[OpenCase]:
        """Open cases counted per (calendar, step, local date they entered the step): open work is counted
        as of now, whatever the period. Grouped in SQL: a region's 100,000 cases are a few thousand rows."""
        since = func.coalesce(CaseRow.step_entered_at, CaseRow.created_at)
        each = (
            select(
                _calendar_school(scope).label("school"),
                CaseRow.step.label("step"),
                self._local_day(_raw(since), zone).label("day"),
            )
            .where(
                CaseRow.school_id.in_(scope.school_ids),
                CaseRow.route_id == scope.route_id,
                CaseRow.status == "open",
            )
            .subquery()
        )
        rows = await self.session.execute(
            select(each.c.school, each.c.step, each.c.day, func.count()).group_by(
                each.c.school, each.c.step, each.c.day
            )
        )
        return [OpenCase(school, step, _as_date(day), int(n)) for school, step, day, n in rows]

    async def overdue(self, scope: Scope, now: datetime) -> dict[str, int]:
        """Pending follow-ups past their moment on open cases, per step. The cases go in as a subquery, not
        a join: SQLite then walks each open case's follow-ups by case id instead of every overdue
        follow-up in the database (3x faster at 100,000 cases; PostgreSQL plans both alike)."""
        open_cases = select(CaseRow.id).where(
            CaseRow.school_id.in_(scope.school_ids),
            CaseRow.route_id == scope.route_id,
            CaseRow.status == "open",
        )
        rows = await self.session.execute(
            select(FollowUpRow.step, func.count())
            .where(
                FollowUpRow.case_id.in_(open_cases),
                FollowUpRow.status == "pending",
                FollowUpRow.due_at < now,
            )
            .group_by(FollowUpRow.step)
        )
        return {step: int(n) for step, n in rows}

    async def milestone_moments(
        self, scope: Scope, milestones: Sequence[Milestone], zone: ZoneInfo
    ) -> list[CaseMoments]:
        """The local dates cases first reached each milestone, counted per (calendar, date of the first
        milestone, date of milestone k). One grouped pass over the cases' first moves (`case_first_move`,
        kept with the timeline) that match a milestone, reading their local day numbers (`day`, migration
        0011) rather than converting moments; then one grouped count per later milestone. Each row is a
        `CaseMoments` with only the first milestone and milestone k set, and its count."""
        if len(milestones) < 2:
            return []
        conditions = [_move_condition(m) for m in milestones]
        sqlite = self._dialect() == "sqlite"
        where = _cases_in(scope)
        if sqlite and len(scope.school_ids) > 1:
            # Across schools SQLite should walk the first moves in key order and look each case up by id,
            # grouping as it goes; left to itself it looks the cases up by school and sorts 400,000 moves
            # in a temporary tree (2-3x slower at 100,000 cases). `school_id + 0` keeps it off that index.
            where[0] = (CaseRow.school_id + 0).in_(scope.school_ids)
        moments = (
            select(
                _calendar_school(scope).label("school"),
                *[self._first_day(c, zone).label(f"m{k}") for k, c in enumerate(conditions)],
            )
            .select_from(FirstMoveRow)
            .join(CaseRow, CaseRow.id == FirstMoveRow.case_id)
            .where(*where, or_(*[c for c in conditions if c is not None]))
            # SQLite streams the groups only when grouped by the column it walks in order (the case's other
            # columns are the same within a group); PostgreSQL needs the case's key to read its school.
            .group_by(FirstMoveRow.case_id if sqlite else CaseRow.id)
            .cte("moments")
        )
        start = moments.c.m0
        parts = [
            select(literal(k).label("k"), moments.c.school, start, moments.c[f"m{k}"], func.count())
            .where(start.is_not(None), moments.c[f"m{k}"].is_not(None))
            .group_by(moments.c.school, start, moments.c[f"m{k}"])
            for k in range(1, len(milestones))
        ]
        width = len(milestones)
        out: list[CaseMoments] = []
        for k, school_id, start_on, end_on, n in await self.session.execute(union_all(*parts)):
            days: list[date | None] = [None] * width
            days[0], days[k] = date.fromordinal(int(start_on)), date.fromordinal(int(end_on))
            out.append(CaseMoments(school_id, tuple(days), int(n)))
        return out

    def _first_day(self, condition: ColumnElement[bool] | None, zone: ZoneInfo) -> Any:
        """A case's first day number matching a move milestone (`condition`), or of its closing (None): the
        one moment stored on the case, converted to a local day number in SQL (only closed cases have it)."""
        if condition is not None:
            return func.min(case((condition, FirstMoveRow.day)))
        closed = _raw(func.min(CaseRow.closed_at))
        return case((closed.is_(None), None), else_=self._day_number(self._local_day(closed, zone)))

    def _day_number(self, local_date: Any) -> Any:
        """SQL for a local date (`local_day`) as `date.toordinal()`: PostgreSQL subtracts dates; on SQLite the
        Julian day of a date is its noon, so year 1's 1 January is 1721425.5."""
        if self._dialect() == "postgresql":
            return cast(local_date - cast(literal("0001-01-01"), Date), Integer) + 1
        return cast(func.julianday(local_date) - 1721424.5, Integer)

    def _dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind is not None else "sqlite"

    def _local_day(self, moment: Any, zone: ZoneInfo) -> Any:
        return local_day(moment, zone, self._dialect())

    async def counts(self, scope: Scope) -> CaseCounts:
        """Cases, consent given / refused / unreachable, safety route, Meldcode and outcomes in one grouped
        pass over the cases' routing state (one row per combination present, a handful)."""
        flags = cast(CaseRow.state["flags"], String)
        safety = flags.like('%"safety"%')
        meldcode = and_(safety, flags.like('%"non_responsive"%'))
        outcome = func.coalesce(CaseRow.state["outcome"].as_string(), "closed")
        each = (
            select(
                CaseRow.state[("consent", "status")].as_string().label("consent"),
                case((CaseRow.status == "closed", outcome), else_=None).label("outcome"),
                case((safety, 1), else_=0).label("safety"),
                case((meldcode, 1), else_=0).label("meldcode"),
            )
            .where(*_cases_in(scope))
            .subquery()
        )
        rows = await self.session.execute(
            select(each.c.consent, each.c.outcome, each.c.safety, each.c.meldcode, func.count()).group_by(
                each.c.consent, each.c.outcome, each.c.safety, each.c.meldcode
            )
        )
        consent: dict[str, int] = {}
        outcomes: dict[str, int] = {}
        cases = safety_n = meldcode_n = 0
        for consent_status, closed_as, is_safety, is_meldcode, n in rows:
            n = int(n)
            cases += n
            safety_n += n * int(is_safety)
            meldcode_n += n * int(is_meldcode)
            if consent_status is not None:
                consent[str(consent_status)] = consent.get(str(consent_status), 0) + n
            if closed_as is not None:
                outcomes[str(closed_as)] = outcomes.get(str(closed_as), 0) + n
        return CaseCounts(
            cases=cases, consent=consent, safety=safety_n, meldcode=meldcode_n, outcomes=outcomes
        )


def _cases_in(scope: Scope) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        CaseRow.school_id.in_(scope.school_ids),
        CaseRow.route_id == scope.route_id,
        CaseRow.status.in_(SIGNALLED),
    ]
    if scope.since is not None:
        where.append(CaseRow.created_at >= scope.since)
    if scope.until is not None:
        where.append(CaseRow.created_at < scope.until)
    return where


def _move_condition(milestone: Milestone) -> ColumnElement[bool] | None:
    """Which first moves reach a milestone; None for the case closing (read from the case itself)."""
    if milestone.closed:
        return None
    condition: ColumnElement[bool] = true()
    if milestone.from_steps:
        condition = and_(condition, FirstMoveRow.step.in_(milestone.from_steps))
    if milestone.to_steps:
        condition = and_(condition, FirstMoveRow.to_step.in_(milestone.to_steps))
    return condition


def _calendar_school(scope: Scope) -> Any:
    """The school whose calendar a case's school counts on, as SQL (a constant when there is one)."""
    mapping = scope.calendar_school
    if mapping is None:
        return CaseRow.school_id
    targets = {mapping.get(school, school) for school in scope.school_ids}
    if len(targets) == 1:
        return literal(targets.pop())
    return case(
        {school: mapping.get(school, school) for school in scope.school_ids},
        value=CaseRow.school_id,
        else_=CaseRow.school_id,
    )


def _as_date(value: object) -> date:
    """A local date as the driver returns it: a date on PostgreSQL, 'YYYY-MM-DD' on SQLite."""
    if isinstance(value, str):
        return date.fromisoformat(value)
    assert isinstance(value, date)
    return value


# Local dates are exact for moments from FIRST_YEAR to LAST_YEAR (the bot's data and then some); outside,
# the nearest span's offset is used. A narrow window keeps the SQL short: two transitions a year.
FIRST_YEAR, LAST_YEAR = 2020, 2060


@lru_cache(maxsize=8)
def _offsets(zone: ZoneInfo) -> tuple[tuple[datetime, int], ...]:
    """(from this naive UTC moment on, the zone's UTC offset in seconds), over FIRST_YEAR..LAST_YEAR."""

    def offset(moment: datetime) -> int:
        shift = moment.replace(tzinfo=UTC).astimezone(zone).utcoffset()
        assert shift is not None
        return int(shift.total_seconds())

    moment = datetime(FIRST_YEAR, 1, 1)
    spans = [(moment, offset(moment))]
    while moment.year < LAST_YEAR:
        later = moment + timedelta(days=7)  # offsets change at most twice a year
        if offset(later) != spans[-1][1]:
            low, high = moment, later  # the change lies in (low, high]: bisect it to the second
            while (high - low) > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if offset(middle) == spans[-1][1]:
                    low = middle
                else:
                    high = middle
            spans.append((high, offset(high)))
        moment = later
    return tuple(spans)


def local_day(moment: Any, zone: ZoneInfo, dialect: str) -> Any:
    """SQL for the local date in `zone` of a stored UTC moment (raw: text on SQLite, a naive timestamp on
    PostgreSQL). PostgreSQL converts with its own zone data; SQLite has none, so there the moment is
    shifted by the zone's offset at that moment, picked by a balanced tree of comparisons with the zone's
    transitions (a few per value, not one per transition)."""
    if dialect == "postgresql":  # PostgreSQL knows the zones: the naive UTC moment, then its local date
        return cast(func.timezone(zone.key, func.timezone("UTC", moment)), Date)
    spans = _offsets(zone)

    def bound(at: datetime) -> Any:
        return literal(at.strftime("%Y-%m-%d %H:%M:%S.%f"), String())

    def shifted(seconds: int) -> Any:
        return func.date(moment, f"{int(seconds):+d} seconds")

    def tree(low: int, high: int) -> Any:  # spans[low:high], high - low >= 1
        if high - low == 1:
            return shifted(spans[low][1])
        middle = (low + high) // 2
        return case((moment < bound(spans[middle][0]), tree(low, middle)), else_=tree(middle, high))

    day = tree(0, len(spans))
    offsets = {offset for _, offset in spans}
    if min(offsets) >= 0 and max(offsets) < 86400:
        # Before (midnight - the largest offset) UTC the local date is the UTC date (22:00 in Amsterdam):
        # most moments skip the tree and the date parsing.
        left = 86400 - max(offsets)
        threshold = f"{left // 3600:02d}:{left % 3600 // 60:02d}:{left % 60:02d}"
        day = case((func.substr(moment, 12, 8) < threshold, func.substr(moment, 1, 10)), else_=day)
    return day
