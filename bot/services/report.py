"""The route report for a school, a route across schools or a region: storage gathers aggregates per route,
flows/report.py counts the days on each school's calendar. Callers decide access (flows/policy.py) and
audit (AuditTrail.report); this only computes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.follow_ups.calendars import school_calendar
from bot.services.school_routes import route_of
from flows.calendar.localtime import local_to_utc
from flows.registry import RouteRegistry, UnknownRoute
from flows.report import Level, Report, RouteFacts, SchoolDayCounter, build_report
from storage.models import School
from storage.repositories.report import Scope
from storage.uow import UnitOfWork


class ReportScopeError(LookupError):
    """The school, route or region asked for has nothing to report on."""


@dataclass(frozen=True)
class ReportRequest:
    level: Level
    scope: str  # the school id, the route id or the region's name
    since: date | None = None  # local dates, inclusive
    until: date | None = None


def school_region(school: School, registry: RouteRegistry) -> str:
    """The region a school's days are counted in: its own calendar, else its route's region."""
    if school.calendar_region:
        return school.calendar_region
    route_id = route_of(school)  # the same default route new cases get
    return registry.latest(route_id).region if route_id in registry else ""


async def route_report(
    uow: UnitOfWork, registry: RouteRegistry, request: ReportRequest, now: datetime, timezone: str
) -> Report:
    schools = list(await uow.schools.list())
    chosen = _schools_in(request, schools, registry)
    route_ids = (
        [request.scope] if request.level == "route" else await uow.report.route_ids([s.id for s in chosen])
    )
    if request.level == "route" and request.scope not in registry:
        raise ReportScopeError(f"unknown route {request.scope!r}; known routes: {', '.join(registry.ids())}")
    zone = ZoneInfo(timezone)
    since = None if request.since is None else local_to_utc(request.since, time(0), zone)
    until = None if request.until is None else local_to_utc(request.until + timedelta(days=1), time(0), zone)
    ids = [s.id for s in chosen]
    region_of = {s.id: school_region(s, registry) for s in chosen}
    first_of_region: dict[str, int] = {}
    for school_id in ids:
        first_of_region.setdefault(region_of[school_id], school_id)
    # Schools on one calendar count their days alike: storage groups their cases together.
    calendar_school = {school_id: first_of_region[region_of[school_id]] for school_id in ids}
    facts = []
    for route_id in route_ids:
        try:
            route = registry.latest(route_id)
        except UnknownRoute:
            continue  # a route no longer shipped: its cases still count in the audit, not in this report
        scope = Scope(ids, route_id, since, until, calendar_school)
        counts = await uow.report.counts(scope)
        facts.append(
            RouteFacts(
                route=route,
                open_cases=await uow.report.open_cases(scope, zone),
                overdue=await uow.report.overdue(scope, now),
                moments=await uow.report.milestone_moments(scope, route.milestones, zone),
                cases=counts.cases,
                consent=counts.consent,
                safety=counts.safety,
                meldcode=counts.meldcode,
                outcomes=counts.outcomes,
            )
        )
    counters: dict[str, SchoolDayCounter] = {}

    def calendar_of(school_id: int) -> SchoolDayCounter:
        region = region_of.get(school_id, "")
        if region not in counters:
            counters[region] = SchoolDayCounter(school_calendar(region or None, timezone))
        return counters[region]

    return build_report(request.level, request.scope, facts, calendar_of, now, (request.since, request.until))


def _schools_in(request: ReportRequest, schools: Sequence[School], registry: RouteRegistry) -> list[School]:
    if request.level == "school":
        chosen = [s for s in schools if str(s.id) == request.scope]
        if not chosen:
            raise ReportScopeError(f"no school with id {request.scope}")
        return chosen
    if request.level == "region":
        chosen = [s for s in schools if school_region(s, registry) == request.scope]
        if not chosen:
            known = sorted({school_region(s, registry) for s in schools} - {""})
            raise ReportScopeError(f"no school in region {request.scope!r}; regions: {', '.join(known)}")
        return chosen
    return list(schools)
