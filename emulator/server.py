"""Assemble the emulator's aiohttp app and run it on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from aiohttp import web

from emulator.bot_route import bot_api_handler
from emulator.control import add_control_routes
from emulator.index import WEB_DIR, index_page
from emulator.state import EmulatorState
from emulator.webhook import WebhookPusher

# Telegram accepts uploads up to 50 MB from bots; aiohttp's default is 1 MiB.
_MAX_BODY = 50 * 1024 * 1024


def build_app(state: EmulatorState, *, token: str | None = None) -> web.Application:
    """The whole emulator as an app; token None accepts any bot token."""
    app = web.Application(client_max_size=_MAX_BODY)
    # Named so the browser UI can take over "/" without touching the rest.
    app.router.add_get("/", index_page, name="index")
    # The page's own files: plain static files, no build step, nothing fetched from the internet.
    app.router.add_static("/web/", WEB_DIR, name="web")
    app.router.add_route("*", "/bot{token}/{method}", bot_api_handler(state, token))
    add_control_routes(app, state)
    # The bot's Mini App, as Telegram would open it on the bot's own server (emulator/mini_app.py).
    app.router.add_route("*", "/app/{tail:.*}", state.mini_app.handle)
    app.router.add_get("/control/mini_app/{user_id}", state.mini_app.launch)
    app.cleanup_ctx.append(_webhook_delivery(state))
    app.on_shutdown.append(_release_long_polls(state))
    return app


def _webhook_delivery(
    state: EmulatorState,
) -> Callable[[web.Application], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def run(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(WebhookPusher(state).run(), name="emulator-webhook")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return run


def _release_long_polls(
    state: EmulatorState,
) -> Callable[[web.Application], Awaitable[None]]:
    async def release(app: web.Application) -> None:
        state.updates.release_polls()

    return release


@dataclass
class RunningEmulator:
    state: EmulatorState
    base_url: str
    port: int
    _runner: web.AppRunner

    async def close(self) -> None:
        await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def start_emulator(
    state: EmulatorState,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str | None = None,
) -> RunningEmulator:
    """Serve the emulator; port 0 picks a free port (read it from `.port` / `.base_url`)."""
    runner = web.AppRunner(
        build_app(state, token=token),
        # A client that gives up (a cancelled long poll, a timed-out hang) ends its handler too.
        handler_cancellation=True,
        shutdown_timeout=1.0,
        access_log=None,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = int(runner.addresses[0][1])
    url_host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    return RunningEmulator(state, f"http://{url_host}:{bound_port}", bound_port, runner)
