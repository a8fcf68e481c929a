"""What the route report (flows/report.py) needs, gathered with SQL aggregates and narrow selects: never a
whole case, never the sealed content, never a ref or a pupil. Never commits.

"Cases" here are signalled cases (open or closed; a draft was never signalled, a cancelled draft never
counted), and the period filters them by when they were created (the teacher's signal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, cast, func, select, true, type_coerce
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
        """Open cases as (school, step, since which local date): open work is counted as of now, whatever
        the period."""
        local = LocalDays(zone)
        since = func.coalesce(CaseRow.step_entered_at, CaseRow.created_at)
        rows = await self.session.execute(
            select(CaseRow.school_id, CaseRow.step, _raw(since)).where(
                CaseRow.school_id.in_(scope.school_ids),
                CaseRow.route_id == scope.route_id,
                CaseRow.status == "open",
            )
        )
        return [OpenCase(school, step, local(entered)) for school, step, entered in rows]  # type: ignore[arg-type]

    async def overdue(self, scope: Scope, now: datetime) -> dict[str, int]:
        """Pending follow-ups past their moment on open cases, per step."""
        rows = await self.session.execute(
            select(FollowUpRow.step, func.count())
            .join(CaseRow, CaseRow.id == FollowUpRow.case_id)
            .where(
                CaseRow.school_id.in_(scope.school_ids),
                CaseRow.route_id == scope.route_id,
                CaseRow.status == "open",
                FollowUpRow.status == "pending",
                FollowUpRow.due_at < now,
            )
            .group_by(FollowUpRow.step)
        )
        return {step: int(n) for step, n in rows}

    async def milestone_moments(
        self, scope: Scope, milestones: Sequence[Milestone], zone: ZoneInfo
    ) -> list[CaseMoments]:
        """Per signalled case, the local date it first reached each milestone: one grouped pass over the
        cases' first moves (`case_first_move`, kept with the timeline), one row per case."""
        local = LocalDays(zone)
        columns = [_first_reached(m) for m in milestones]
        query = (
            select(CaseRow.school_id, *columns)
            .join(FirstMoveRow, FirstMoveRow.case_id == CaseRow.id)
            .where(*_cases_in(scope))
            .group_by(CaseRow.id, CaseRow.school_id)
        )
        rows = await self.session.execute(query)
        # Most milestones are not reached yet: skip the call for those (100,000 cases × 7 values).
        return [
            CaseMoments(row[0], tuple([None if v is None else local(v) for v in row[1:]])) for row in rows
        ]

    async def counts(self, scope: Scope) -> CaseCounts:
        where = _cases_in(scope)
        flags = cast(CaseRow.state["flags"], String)
        safety = flags.like('%"safety"%')
        meldcode = and_(safety, flags.like('%"non_responsive"%'))
        total = await self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((safety, 1), else_=0)), 0),
                func.coalesce(func.sum(case((meldcode, 1), else_=0)), 0),
            ).where(*where)
        )
        cases, safety_n, meldcode_n = total.one()
        consent_status = CaseRow.state[("consent", "status")].as_string()
        consent = await self.session.execute(
            select(consent_status, func.count())
            .where(*where, consent_status.is_not(None))
            .group_by(consent_status)
        )
        outcome = CaseRow.state["outcome"].as_string()
        outcomes = await self.session.execute(
            select(outcome, func.count()).where(*where, CaseRow.status == "closed").group_by(outcome)
        )
        return CaseCounts(
            cases=int(cases),
            consent={str(s): int(n) for s, n in consent},
            safety=int(safety_n),
            meldcode=int(meldcode_n),
            outcomes={str(o or "closed"): int(n) for o, n in outcomes},
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


def _first_reached(milestone: Milestone) -> Any:
    if milestone.closed:
        return _raw(func.min(CaseRow.closed_at))
    condition: ColumnElement[bool] = true()
    if milestone.from_steps:
        condition = and_(condition, FirstMoveRow.step.in_(milestone.from_steps))
    if milestone.to_steps:
        condition = and_(condition, FirstMoveRow.to_step.in_(milestone.to_steps))
    return _raw(func.min(case((condition, FirstMoveRow.at))))
