""" "2 dagen uitstellen" on a reminder: checked again against the policy and the case's step, then the
follow-up is due again two school days from now."""

from __future__ import annotations

from datetime import datetime

from bot.follow_ups.calendars import snoozed_until
from bot.services.actors import actor_at
from bot.services.follow_ups import calendar_of
from flows.engine import RouteEngine
from flows.policy import STALE, can_act
from storage.models import Member
from storage.uow import UnitOfWork


async def snooze(
    uow: UnitOfWork,
    route_engine: RouteEngine,
    member: Member,
    ref: str,
    step: str,
    follow_up: str,
    now: datetime,
) -> datetime | str:
    """The new due moment, or the msgid of the refusal."""
    case = await uow.cases.get(ref)
    if case is None or case.id is None:
        return "access.not_found"
    route = route_engine.routes.get(case.route_id, case.route_version)
    # Who may work on the step may put off its reminder; a stale button (the case moved on) does nothing.
    allowed = can_act(actor_at(member, case.school_id), case, route, step)
    if not allowed:
        return allowed.reason
    row = await uow.follow_ups.latest(case.id, step, follow_up)
    if row is None:
        return STALE.reason
    until = snoozed_until(await calendar_of(uow, route, case), now)
    await uow.follow_ups.snooze(row, until)
    return until
