"""The routekaart of a school's route as a PNG file, in the reader's language and the school's role names."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiogram.utils.i18n import I18n

from bot.routekaart import map_labels, route_png
from bot.services.school_routes import route_of
from flows.registry import RouteRegistry
from storage.models import Member, School
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class RouteMap:
    filename: str
    png: bytes
    route_name: str


async def schools_of_member(uow: UnitOfWork, member: Member) -> list[School]:
    out = []
    for school_id in sorted({held.school_id for held in member.roles}):
        school = await uow.schools.get(school_id)
        if school is not None:
            out.append(school)
    return out


async def school_route_map(routes: RouteRegistry, i18n: I18n, school: School, language: str) -> RouteMap:
    """Raises bot.routekaart.PngUnavailable without cairo."""
    route = routes.latest(route_of(school))
    labels = map_labels(i18n, language, school.naming)
    # Drawing and rasterising take a moment of CPU: off the event loop, so other members are not kept waiting.
    png = await asyncio.to_thread(route_png, route, labels, language)
    return RouteMap(f"routekaart-{route.id}.png", png, route.name.get(language, route.name["nl"]))
