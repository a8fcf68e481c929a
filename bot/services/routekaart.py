"""The routekaart of a school's route as PNG and SVG files, in the reader's language and the school's role
names."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache

from aiogram.utils.i18n import I18n

from bot.render.routekaart import map_labels, route_png, route_svg
from bot.services.school_routes import route_of
from flows.registry import RouteRegistry
from storage.models import Member, School
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class RoutekaartFiles:
    filename: str
    png: bytes
    route_name: str
    svg_filename: str
    svg: bytes  # the same map, to zoom into in a browser


async def schools_of_member(uow: UnitOfWork, member: Member) -> list[School]:
    out = []
    for school_id in sorted({held.school_id for held in member.roles}):
        school = await uow.schools.get(school_id)
        if school is not None:
            out.append(school)
    return out


async def school_routekaart(
    routes: RouteRegistry, i18n: I18n, school: School, language: str
) -> RoutekaartFiles:
    """Raises bot.render.routekaart.RoutekaartUnavailable without D2, cairo or the fonts."""
    route = routes.latest(route_of(school))
    # Laying out and rasterising take a moment of CPU: off the event loop, so others are not kept waiting.
    return await asyncio.to_thread(_drawn, routes, i18n, route.id, route.version, language, school.naming)


# A map depends only on the route version, the language and the school's role names, and takes seconds
# of CPU to lay out: drawn once per process for each, not for every /route.
@lru_cache(maxsize=64)
def _drawn(
    routes: RouteRegistry, i18n: I18n, route_id: str, version: int, language: str, naming: str | None
) -> RoutekaartFiles:
    route = routes.get(route_id, version)
    labels = map_labels(i18n, language, naming)
    png = route_png(route, labels, language)
    svg = route_svg(route, labels, language)
    name = route.name.get(language, route.name["nl"])
    stem = f"routekaart-{route.id}"
    return RoutekaartFiles(f"{stem}.png", png, name, f"{stem}.svg", svg.encode("utf-8"))
