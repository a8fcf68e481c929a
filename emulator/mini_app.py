"""The emulator's door to the bot's Mini App: Telegram opens a Mini App on the bot's own server; in the
demo that server is the emulator's, so it forwards /app/… to whatever the runner plugged in (the bot's
bot/webapp WebApp.dispatch). Nothing plugged in: 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

MiniAppHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class MiniAppDoor:
    def __init__(self) -> None:
        self.handler: MiniAppHandler | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.handler is None:
            return web.Response(status=404, text="no Mini App on this emulator")
        return await self.handler(request)
