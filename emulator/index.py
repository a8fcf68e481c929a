"""`GET /`: the browser page for people, the plain-text usage for curl and scripts.

One address serves both, chosen by the Accept header, so `curl $B/` keeps printing the usage
while a browser opening the address the log prints gets the live page.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from emulator.methods import SUPPORTED

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
  GET  {base}/control/roster    POST {{"people": [{{"user_id": 1, "name": "Anna", "roles": ["leerkracht"],
                                                 "school": "Demo", "language": "nl"}}]}}
  GET  {base}/control/external  POST {{"channel": "email", "to_user_id": 1, "address": "a@b.nl",
                                      "subject": "...", "text": "..."}}
  GET  {base}/control/clock     POST {{"advance": "+1d"}}  (+30m, +2h, +1w; 501 without a clock handler)
  GET  {base}/control/held      what the bot holds back for quiet hours (to_user_id, channel, due_at)

Open {base}/ in a browser for a chat pane per demo member.
"""

WEB_DIR = Path(__file__).parent / "web"


async def index_page(request: web.Request) -> web.StreamResponse:
    if "text/html" in request.headers.get("Accept", ""):
        # no-cache: after a restart the page must pick up a changed app.js, not a stale copy.
        return web.FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})
    base = f"{request.scheme}://{request.host}"
    return web.Response(text=_USAGE.format(base=base, methods=", ".join(SUPPORTED)))
