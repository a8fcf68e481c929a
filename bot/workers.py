"""`zorgroute run --webhook --workers N`: N webhook worker processes on one port, sharing one database.

Each worker is a process of its own (forked from the parent, with its own event loop) listening with
SO_REUSEPORT, so the kernel spreads Telegram's connections over them. What keeps them one
bot lives in PostgreSQL: a chat's turn and the handled updates (bot/middlewares/turns.py), the shared
limits (storage/buckets.py), jobs run once per period (bot/once.py), the outbox and follow-up claims.
SQLite has one writer, so it runs one worker (docs/deployment.md).

The parent migrates the database and makes the local key files once, before any worker starts (N
workers would otherwise race Alembic and each write a key of its own), loads the name guard's tables,
then watches the workers: one that dies is started again; SIGTERM or SIGINT stops them all.

Fork, not spawn: a spawned worker imported aiogram and the rest again and loaded deduce's tables again,
13-17 s on this 2-core machine before it answered anything (the time a restarted worker is missing), and
each held its own copy of those 80 MB. A forked one inherits both (the tables frozen out of the collector,
so their pages stay shared) and logged ready 0.3 s after the fork, a restarted one too. The parent holds
no event loop, thread or connection when it forks: the migration's loop and engine are closed by then,
and deduce is loaded on the main thread.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

from bot.runner import StartupError, check_webhook_settings, run_webhook
from bot.services.name_guard import shared_detector
from bot.services.secret import load_data_keys, load_secret_key
from bot.settings import Settings
from storage.migrate import ensure_current

log = logging.getLogger("zorgroute")

STOP_GRACE = 30.0  # seconds a worker has to finish its updates after SIGTERM
# A worker that fails (not killed by a signal) this soon after its start has a problem a restart won't fix.
EARLY_EXIT = 10.0


def check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise StartupError("--workers must be at least 1")
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        raise StartupError(f"--workers {workers} needs PostgreSQL: SQLite has one writer, so run one worker")


def run_workers(settings: Settings, host: str, port: int, workers: int) -> int:
    """Start `workers` webhook workers and keep them running until SIGTERM/SIGINT. Returns the exit code."""
    check_workers(settings, workers)
    check_webhook_settings(settings)
    asyncio.run(ensure_current(settings.database_url))
    load_secret_key(settings.secret_key, settings.data_dir)
    load_data_keys(settings.data_key, settings.data_dir)
    shared_detector()  # inherited by every worker (NameGuard finds it loaded)
    context = multiprocessing.get_context("fork")
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start(index: int) -> tuple[BaseProcess, float]:
        process = context.Process(
            target=_worker, args=(settings, host, port, index), name=f"zorgroute-worker-{index}"
        )
        process.start()
        return process, time.monotonic()

    running = [start(index) for index in range(workers)]
    log.info("%s webhook workers on %s:%s", workers, host, port)
    code = 0
    while not stopping:
        wait([process.sentinel for process, _ in running], timeout=0.5)
        for index, (process, started) in enumerate(running):
            if process.is_alive() or stopping or process.exitcode is None:
                continue
            if process.exitcode == 0:  # stopped on purpose (SIGTERM to the whole group, as systemd does)
                continue
            if process.exitcode > 0 and time.monotonic() - started < EARLY_EXIT:  # not killed: it failed
                log.error("worker %s failed at start (exit %s): stopping", index, process.exitcode)
                stopping, code = True, 1
                break
            log.warning("worker %s died (exit %s): starting it again", index, process.exitcode)
            running[index] = start(index)
        if all(process.exitcode == 0 for process, _ in running):
            break
    for process, _ in running:
        if process.is_alive():
            process.terminate()  # SIGTERM: the worker finishes what it is handling and stops
    deadline = time.monotonic() + STOP_GRACE
    for process, _ in running:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
    return code


def _worker(settings: Settings, host: str, port: int, index: int) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format=f"%(asctime)s %(levelname)s worker {index} %(name)s: %(message)s",
        force=True,  # the parent's handlers came with the fork
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler came with the fork; run_webhook
    # installs the worker's own once its loop runs
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    asyncio.run(run_webhook(settings, host, port, reuse_port=True, first=index == 0))
