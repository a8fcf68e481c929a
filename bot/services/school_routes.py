"""Which route a school follows: chosen per school, checked against the routes the bot knows.

A school's route applies to NEW cases only. A running case pins its route id and version when it
starts (flows/case.py), so changing a school's route, or shipping a new version of it, never moves a
family's case onto steps it was not started on.
"""

from __future__ import annotations

from bot.services.actors import actor_at, schools_of
from flows.engine import RouteEngine
from flows.policy import can_start
from flows.registry import RouteRegistry
from flows.route import Route
from storage.models import Member, School
from storage.uow import UnitOfWork

# Schools registered before they chose a route follow the first route Zorgroute carried.
DEFAULT_ROUTE = "vlaardingen"


class SchoolRouteError(ValueError):
    """A route that does not exist, or does not fit the kind of school (one line, for the admin)."""


def route_of(school: School) -> str:
    return school.route_id or DEFAULT_ROUTE


def check_route(routes: RouteRegistry, route_id: str, kind: str) -> Route:
    """The route `route_id` if a school of `kind` (po/vo) may follow it."""
    if route_id not in routes:
        raise SchoolRouteError(f"unknown route {route_id!r}; known routes: {', '.join(routes.ids())}")
    route = routes.latest(route_id)
    if kind not in route.school_kinds:
        raise SchoolRouteError(
            f"route {route_id!r} is for {'/'.join(route.school_kinds)} schools, not for a {kind} school"
        )
    return route


async def starting_schools(
    member: Member, uow: UnitOfWork, route_engine: RouteEngine
) -> list[tuple[int, str, str]]:
    """(school id, name, route id) for every school where `member` may start a case: the school's route's
    `start.roles` decide (flows/policy.can_start), so /signaal and /help ask the same question."""
    out = []
    for school_id in schools_of(member):
        school = await uow.schools.get(school_id)
        if school is None:
            continue
        route_id = route_of(school)
        if can_start(actor_at(member, school_id), route_engine.routes.latest(route_id)):
            out.append((school_id, school.name, route_id))
    return out
