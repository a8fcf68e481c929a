"""Building the follow-up runner and the digest service for a runtime; kept here so bot/app.py gains
one line (bot/runner.py starts their scheduler)."""

from __future__ import annotations

import os
import socket

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.follow_ups.digest import DigestService
from bot.follow_ups.runner import FollowUpRunner
from bot.outbox.dispatcher import OutboxDispatcher
from bot.services.cases import EventLog
from bot.services.school_routes import DEFAULT_ROUTE
from bot.settings import Settings
from flows.clock import Clock, IdSource
from flows.engine import RouteEngine


def build_follow_ups(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    route_engine: RouteEngine,
    clock: Clock,
    ids: IdSource,
    outbox: OutboxDispatcher,
    event_log: EventLog | None,
) -> tuple[FollowUpRunner, DigestService]:
    runner = FollowUpRunner(
        sessionmaker,
        route_engine,
        clock,
        ids,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        timezone=settings.timezone,
        event_log=event_log,
        on_fired=outbox.kick,
    )
    digests = DigestService(
        sessionmaker,
        route_engine.routes,
        clock,
        default_route=DEFAULT_ROUTE,
        timezone=settings.timezone,
        on_queued=outbox.kick,
    )
    return runner, digests
