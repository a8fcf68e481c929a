"""The weekly VOT digest of one school, queued in the outbox for each VOT member: new signals, consents
still pending, overdue follow-ups and evaluations in the coming week. Counts, case references and pupil
labels only. The outbox key names the ISO week, so a second worker (or a restart) queues nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.actors import actor_at
from flows.case import Case
from flows.clock import Clock
from flows.policy import Actor, can_view
from flows.registry import RouteRegistry
from flows.route import Route
from storage.repositories.follow_ups import OpenFollowUp
from storage.uow import UnitOfWork

WEEK = timedelta(days=7)
SHOWN = 10  # case references per section; the count says how many there are
SECTIONS = ("new", "consent", "overdue", "evaluations")


class DigestService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        routes: RouteRegistry,
        clock: Clock,
        *,
        default_route: str,
        timezone: str = "Europe/Amsterdam",
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.sessionmaker, self.routes, self.clock = sessionmaker, routes, clock
        self.default_route, self.zone, self.on_queued = default_route, ZoneInfo(timezone), on_queued

    async def send(self, school_id: int) -> int:
        """Queue this week's digest for the school's VOT members; returns how many were queued."""
        now = self.clock.now()
        try:
            queued = await self._queue(school_id, now)
        except IntegrityError:  # another worker queued the same week's digest at the same moment
            return 0
        if queued and self.on_queued is not None:
            self.on_queued()
        return queued

    async def _queue(self, school_id: int, now: datetime) -> int:
        year, week, _ = now.astimezone(self.zone).isocalendar()
        async with UnitOfWork(self.sessionmaker) as uow:
            school = await uow.schools.get(school_id)
            if school is None:
                return 0
            route = self.routes.latest(school.route_id or self.default_route)
            cases = await uow.cases.list_open([school_id])
            follow_ups = await uow.follow_ups.open_for(school_ids=[school_id])
            queued = 0
            for member in await uow.members.with_roles(school_id, sorted(route.expand(route.vot))):
                sections = self._sections(actor_at(member, school_id), cases, follow_ups, now)
                is_new = await uow.outbox.add(
                    key=f"d:{school_id}:{year}-W{week:02d}:{member.id}:telegram",
                    member_id=member.id,
                    channel="telegram",
                    kind="digest",
                    now=now,
                    payload={"school_id": school_id, "week": week, "sections": sections},
                )
                queued += is_new
            await uow.commit()
        return queued

    def _sections(
        self, actor: Actor, cases: list[Case], follow_ups: list[OpenFollowUp], now: datetime
    ) -> dict[str, Any]:
        routes = {c.ref: self.routes.get(c.route_id, c.route_version) for c in cases}
        # Need-to-know holds here too: a digest lists only cases its reader may open.
        seen = {c.ref: c for c in cases if c.status == "open" and can_view(actor, c, routes[c.ref])}
        new = [c for c in seen.values() if c.created_at >= now - WEEK]
        consent = [
            c for c in seen.values() if c.step in _consent_steps(routes[c.ref]) and not c.consent_given
        ]
        overdue = _unique(f.case_ref for f in follow_ups if f.case_ref in seen and _is_overdue(f, now))
        evaluations = [
            f
            for f in follow_ups
            if f.case_ref in seen
            and f.status == "pending"
            and now < f.due_at <= now + WEEK
            and _dated(routes[f.case_ref], f)
        ]
        return {
            "new": _section([(c, None) for c in new]),
            "consent": _section([(c, None) for c in consent]),
            "overdue": _section([(seen[ref], None) for ref in overdue]),
            "evaluations": _section([(seen[f.case_ref], f.due_at) for f in evaluations]),
        }


def _section(items: list[tuple[Case, datetime | None]]) -> dict[str, Any]:
    shown = [
        {"ref": c.ref, "pupil": c.pupil.label if c.pupil else None, "due": due.isoformat() if due else None}
        for c, due in items[:SHOWN]
    ]
    return {"count": len(items), "cases": shown}


def _consent_steps(route: Route) -> set[str]:
    """Steps that record the parents' consent: a case waiting there waits for consent."""
    return {
        s.id
        for s in route.steps.values()
        if any(e.kind == "record_consent" for t in s.transitions for e in t.effects)
    }


def _is_overdue(follow_up: OpenFollowUp, now: datetime) -> bool:
    return follow_up.overdue or follow_up.due_at <= now


def _dated(route: Route, follow_up: OpenFollowUp) -> bool:
    """A follow-up due on a date someone set (the plan's evaluation date)."""
    step = route.steps.get(follow_up.step)
    found = next((f for f in step.follow_ups if f.id == follow_up.follow_up), None) if step else None
    return found is not None and found.on_date is not None


def _unique(refs: Any) -> list[str]:
    return list(dict.fromkeys(refs))
