"""`GET /`: how to drive the emulator. A later browser UI replaces this one handler."""

from __future__ import annotations

from aiohttp import web

from bot.emulator.methods import SUPPORTED

_USAGE = """Zorgroute Telegram Bot API emulator

Point the bot at this server: TELEGRAM_API_BASE={base}
The bot calls {base}/bot<token>/<method>. Supported: {methods}

Control API (JSON):
  POST {base}/control/send      {{"user_id": 1, "text": "/start"}}         ?wait=1 waits until handled
  POST {base}/control/press     {{"user_id": 1, "button_text": "Ja"}}     or "data": "...", ?wait=1
  GET  {base}/control/chats
  GET  {base}/control/chats/<chat_id>/messages
  GET  {base}/control/events    (Server-Sent Events)
  POST {base}/control/faults    {{"rate": 0.2, "kinds": ["retry_after"], "seed": 1}}
  POST {base}/control/reset
  GET  {base}/control/stats
"""


async def index_page(request: web.Request) -> web.Response:
    base = f"{request.scheme}://{request.host}"
    return web.Response(text=_USAGE.format(base=base, methods=", ".join(SUPPORTED)))
