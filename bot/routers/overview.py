"""/overzicht: how the route runs at the member's school (or, for the SWV-er, `/overzicht regio`: the
school's calendar region, small cells hidden). Aggregates only; the policy decides the level, every report
is audited, and a chart (PNG) follows the figures."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.filters import PRIVATE
from bot.render.report import CHART_TITLES, report_text
from bot.render.report_chart import report_png
from bot.render.text import Translator
from bot.services.audit import TELEGRAM, AuditTrail
from bot.services.report import ReportRequest, route_report, school_region
from bot.settings import Settings
from flows import policy
from flows.clock import Clock
from flows.engine import RouteEngine
from flows.report import Report
from storage.models import Member
from storage.uow import UnitOfWork

REGION_WORDS = ("regio", "region")


def build_router() -> Router:
    router = Router(name="overview")
    router.message.filter(PRIVATE)

    @router.message(Command("overzicht", "overview"))
    async def overview(
        message: Message,
        command: CommandObject,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        clock: Clock,
        settings: Settings,
        t: Translator,
    ) -> None:
        level = "region" if (command.args or "").strip().lower() in REGION_WORDS else "school"
        # The first school where the member's roles there allow this level.
        held: dict[int, set[str]] = {}
        for role in member.roles:
            held.setdefault(role.school_id, set()).add(role.role)
        allowed = sorted(sid for sid, roles in held.items() if policy.can_see_report(frozenset(roles), level))
        school = await uow.schools.get(allowed[0]) if allowed else None
        if school is None:
            await message.answer(t(policy.NO_REPORT.reason))
            return
        if level == "region":
            region = school_region(school, route_engine.routes)
            request, scope_name = ReportRequest("region", region), t("report.region_scope", region=region)
        else:
            request, scope_name = ReportRequest("school", str(school.id)), school.name
        report = await route_report(uow, route_engine.routes, request, clock.now(), settings.timezone)
        trail = AuditTrail(uow, clock, member=member, channel=TELEGRAM, via="/overzicht")
        await trail.report(level=level, scope=request.scope, school_id=school.id)
        await message.answer(report_text(t, report, scope_name, route_engine.routes))
        for png in await asyncio.to_thread(_charts, report, route_engine, t):
            await message.answer_photo(
                BufferedInputFile(png, filename="overzicht.png"),
                caption=t("report.chart_caption", scope=scope_name),
            )

    return router


def _charts(report: Report, route_engine: RouteEngine, t: Translator) -> list[bytes]:
    """One chart per route (drawing takes CPU: run off the event loop)."""
    lead, open_work, days = (t.raw(msgid) for msgid in CHART_TITLES)
    titles = (lead, open_work, days)
    out = []
    for figures in report.routes:
        route = route_engine.routes.latest(figures.route_id)
        milestones = [t.raw(m.label) for m in route.milestones[1:]]
        steps = [t.raw(s.title) for s in figures.steps]
        out.append(report_png(figures, milestones, steps, titles))
    return out
