"""The emulator's door to the bot's Mini App: Telegram opens a Mini App on the bot's own server; in the
demo that server is the emulator's, so it forwards /app/… to whatever the runner plugged in (the bot's
bot/webapp WebApp.dispatch). Nothing plugged in: 404.

`/control/mini_app/{user_id}?ref=…|to=signal` hands the page the address Telegram would open for that
member: the Mini App with initData signed by the demo's token (the runner plugs in `launcher`). The page
opens it in a sheet over the member's pane when a web_app button in their chat is pressed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

MiniAppHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# (user id, case ref or "", "signal" or "") -> the URL with initData in its fragment
Launcher = Callable[[int, str, str], str]


class MiniAppDoor:
    def __init__(self) -> None:
        self.handler: MiniAppHandler | None = None
        self.launcher: Launcher | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.handler is None:
            return web.Response(status=404, text="no Mini App on this emulator")
        return await self.handler(request)

    async def launch(self, request: web.Request) -> web.StreamResponse:
        raw = request.match_info.get("user_id", "")
        if self.launcher is None or not raw.isdigit():
            return web.json_response({"ok": False, "description": "no Mini App on this emulator"}, status=404)
        ref = request.query.get("ref", "")[:32]
        to = "signal" if request.query.get("to") == "signal" else ""
        return web.json_response({"ok": True, "url": self.launcher(int(raw), ref, to)})
