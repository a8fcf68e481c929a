"""Building the follow-up runner and the digest service for a runtime, and starting their scheduler;
kept here so bot/app.py and bot/runner.py each gain one line."""

from __future__ import annotations

import asyncio
import os
import socket
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.followups.digest import DigestService
from bot.followups.runner import FollowUpRunner
from bot.outbox.dispatcher import OutboxDispatcher
from bot.services.cases import EventLog
from bot.services.school_routes import DEFAULT_ROUTE
from bot.settings import Settings
from flows.clock import Clock, IdSource
from flows.engine import Engine

if TYPE_CHECKING:
    from bot.app import Runtime


def build_follow_ups(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    flows: Engine,
    clock: Clock,
    ids: IdSource,
    outbox: OutboxDispatcher,
    event_log: EventLog | None,
) -> tuple[FollowUpRunner, DigestService]:
    runner = FollowUpRunner(
        sessionmaker,
        flows,
        clock,
        ids,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        timezone=settings.timezone,
        event_log=event_log,
        on_fired=outbox.kick,
    )
    digests = DigestService(
        sessionmaker,
        flows.routes,
        clock,
        default_route=DEFAULT_ROUTE,
        timezone=settings.timezone,
        on_queued=outbox.kick,
    )
    return runner, digests


def start_scheduler(runtime: Runtime) -> list[asyncio.Task[None]]:
    """The scheduler as a background task (cancelling it shuts the scheduler down)."""
    from bot.scheduler import run_scheduler

    if runtime.follow_ups is None or runtime.digests is None:
        return []
    from bot.services.retention import retention_job

    task = run_scheduler(
        runtime.follow_ups,
        runtime.digests,
        runtime.sessionmaker,
        timezone=runtime.settings.timezone,
        retention=partial(retention_job, runtime.sessionmaker, runtime.dp["clock"], runtime.settings),
    )
    return [asyncio.create_task(task, name="scheduler")]
