"""Running the bot: long polling or a webhook server, against Telegram (the demo on the built-in emulator
is `emulator/run.py`)."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from functools import partial
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.app import Runtime, prepare
from bot.heap import freeze_startup_heap
from bot.middlewares.turns import ANY_WORKER
from bot.services.secret import announce_data_key
from bot.services.whatsapp_inbox import mount_whatsapp_webhook
from bot.settings import NO_TOKEN, Settings
from bot.webapp.routes import mount_webapp, webapp_for
from bot.webhook import CheckedRequestHandler
from storage.migrate import is_current

log = logging.getLogger("zorgroute")

POLLING_TASKS = 500  # updates taken from getUpdates and not yet finished
# Telegram's webhook connections at once (its maximum; default 40). Each carries one update until it is
# handled, so this bounds the updates in flight over all workers (docs/deployment.md).
WEBHOOK_CONNECTIONS = 100


class StartupError(Exception):
    """The bot cannot start with these settings (one line)."""


def start_background(runtime: Runtime) -> list[asyncio.Task[None]]:
    """The work that runs beside the updates: the outbox dispatcher (it also sends what an earlier run
    left behind, so a restart loses nothing)."""
    freeze_startup_heap()  # what start-up built lives as long as the process: out of full collections
    runtime.dp["name_guard"].start()  # deduce loads in a thread meanwhile; free text waits for it
    return [asyncio.create_task(runtime.outbox.run(), name="outbox"), *start_scheduler(runtime)]


def start_scheduler(runtime: Runtime) -> list[asyncio.Task[None]]:
    """The scheduler as a background task (cancelling it shuts the scheduler down)."""
    from bot.scheduler import run_scheduler

    if runtime.follow_ups is None or runtime.digests is None:
        return []
    from bot.once import OncePerPeriod
    from bot.services.retention import retention_job

    clock, zone = runtime.dp["clock"], runtime.settings.timezone
    task = run_scheduler(
        runtime.follow_ups,
        runtime.digests,
        runtime.sessionmaker,
        timezone=zone,
        retention=partial(retention_job, runtime.sessionmaker, clock, runtime.settings),
        # Every worker runs a scheduler; the digest and retention run on one of them per period.
        once=OncePerPeriod(runtime.sessionmaker, clock, worker=runtime.outbox.worker, timezone=zone),
    )
    return [asyncio.create_task(task, name="scheduler")]


async def stop_background(runtime: Runtime, tasks: list[asyncio.Task[None]]) -> None:
    runtime.outbox.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _log_ready(started: float) -> Any:
    async def ready() -> None:
        log.info("zorgroute is ready (cold start %.2fs)", time.perf_counter() - started)

    return ready


async def run_polling(settings: Settings, *, started: float | None = None) -> None:
    """Long polling against Telegram (or the Bot API server at TELEGRAM_API_BASE); `started` is the
    perf_counter() at process start, for the cold-start log line.

    Without a token it refuses before it opens the database: a forgotten variable on a server must not
    turn the product into the demo (that is `zorgroute demo`, emulator/demo.py, on a database of its own)."""
    if settings.telegram_bot_token is None:
        raise StartupError(NO_TOKEN)
    started = time.perf_counter() if started is None else started
    runtime = await prepare(settings)
    try:
        await serve_polling(runtime, started)
    finally:
        await runtime.close()


async def serve_polling(runtime: Runtime, started: float) -> None:
    """Poll with `runtime` until SIGINT/SIGTERM, the background work beside it; the caller closes the
    runtime (the demo closes its emulator after it)."""
    announce_data_key(runtime.settings.data_key, runtime.settings.data_dir)
    runtime.dp.startup.register(_log_ready(started))
    background = start_background(runtime)
    try:
        # aiogram stops polling gracefully on SIGINT/SIGTERM. Updates run as tasks (one chat's in order, see
        # bot/middlewares/lanes.py); the cap keeps a backlog from becoming thousands of waiting tasks.
        await runtime.dp.start_polling(
            runtime.bot, handle_signals=True, tasks_concurrency_limit=POLLING_TASKS
        )
    finally:
        await stop_background(runtime, background)


def build_webhook_app(runtime: Runtime, *, handle_in_background: bool = True) -> web.Application:
    """aiohttp app: Telegram's updates at ZORGROUTE_WEBHOOK_PATH (secret header checked), /healthz (alive),
    /readyz (database reachable, migrations current) and the Mini App under /app/."""
    settings = runtime.settings
    if not settings.webhook_secret:
        raise StartupError("ZORGROUTE_WEBHOOK_SECRET must be set to run with --webhook")
    app = web.Application()
    runtime.dp["audit_channel"] = "webhook"  # the audit trail says which door an update came through
    runtime.dp[ANY_WORKER] = True  # workers share the bot; Telegram retries (bot/middlewares/turns.py)
    CheckedRequestHandler(  # a body that is not an update gets 400
        dispatcher=runtime.dp,
        bot=runtime.bot,
        secret_token=settings.webhook_secret,
        handle_in_background=handle_in_background,
    ).register(app, path=settings.webhook_path)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})  # alive: the process answers; restart it if not

    async def readyz(_request: web.Request) -> web.Response:
        # Ready for updates: the database answers and has this code's schema. A load balancer sends
        # updates only to ready workers; a worker that is not is left running (the database may be back).
        try:
            current = await is_current(runtime.db_engine)
        except Exception as exc:  # the check reports, it does not crash
            log.warning("readiness check failed: %s", exc)
            return web.json_response({"status": "error", "database": "unreachable"}, status=503)
        if not current:
            return web.json_response({"status": "error", "database": "migrations behind"}, status=503)
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    mount_whatsapp_webhook(app, settings, runtime.sessionmaker)
    mount_webapp(app, webapp_for(runtime))  # the Mini App under /app/ (docs/webapp.md)
    setup_application(app, runtime.dp, bot=runtime.bot)
    return app


async def _set_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    if not settings.webhook_url:
        log.warning("ZORGROUTE_WEBHOOK_URL not set: not calling setWebhook")
        return
    await bot.set_webhook(
        settings.webhook_url + settings.webhook_path,
        secret_token=settings.webhook_secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
        max_connections=WEBHOOK_CONNECTIONS,
    )


def check_webhook_settings(settings: Settings) -> None:
    if settings.telegram_bot_token is None:
        raise StartupError("TELEGRAM_BOT_TOKEN must be set to run with --webhook")
    if not settings.webhook_secret:
        raise StartupError("ZORGROUTE_WEBHOOK_SECRET must be set to run with --webhook")


async def run_webhook(
    settings: Settings, host: str, port: int, *, reuse_port: bool = False, first: bool = True
) -> None:
    """One webhook worker. `reuse_port`: several workers listen on one port (bot/workers.py); only the
    `first` calls setWebhook and says where the data key lives."""
    started = time.perf_counter()
    check_webhook_settings(settings)
    runtime = await prepare(settings)
    if first:
        announce_data_key(settings.data_key, settings.data_dir)
        runtime.dp.startup.register(_set_webhook)
    runtime.dp.startup.register(_log_ready(started))
    # Answered when handled, not at once: Telegram then sends a chat's next update only after this one
    # committed (order across workers), and sends again one whose worker died (bot/middlewares/turns.py).
    app = build_webhook_app(runtime, handle_in_background=False)
    background = start_background(runtime)
    runner = web.AppRunner(app)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
        log.info("webhook server on http://%s:%s%s (/healthz, /readyz)", host, port, settings.webhook_path)
        await stop.wait()
        log.info("shutting down")
    finally:
        await runner.cleanup()
        await stop_background(runtime, background)
        await runtime.close()
