"""The control API: the in-process API over HTTP, for the CLI, a browser, or curl."""

from __future__ import annotations

import asyncio
import json
import mimetypes
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from aiohttp import web

from emulator.clock import ClockNotWired
from emulator.faults import FaultPlan
from emulator.models import Person
from emulator.state import EmulatorState, external_view, person_view
from emulator.wire import message_view

# Event-stream queues still open, so a stopping server can end them at once.
SSE_QUEUES = web.AppKey("sse_queues", set[asyncio.Queue[dict[str, Any]]])
_CLOSING: dict[str, Any] = {"type": "closing"}

_INLINE_TYPES = frozenset({"image/png", "image/svg+xml", "image/jpeg", "application/pdf"})
_SEND_FIELDS = ("first_name", "username", "language_code", "chat_id", "chat_type")
_PRESS_FIELDS = ("message_id", "data", "button_text", "chat_id")


def add_control_routes(app: web.Application, state: EmulatorState) -> None:
    app[SSE_QUEUES] = set()
    app.on_shutdown.append(_end_event_streams)
    routes = _ControlRoutes(state)
    app.router.add_post("/control/send", routes.send)
    app.router.add_post("/control/press", routes.press)
    app.router.add_get("/control/chats", routes.chats)
    app.router.add_get("/control/chats/{chat_id}/messages", routes.messages)
    app.router.add_get("/control/files/{file_id}", routes.file)
    app.router.add_get("/control/events", routes.events)
    app.router.add_post("/control/reset", routes.reset)
    app.router.add_get("/control/stats", routes.stats)
    app.router.add_post("/control/faults", routes.faults)
    app.router.add_get("/control/roster", routes.roster)
    app.router.add_post("/control/roster", routes.set_roster)
    app.router.add_get("/control/external", routes.external)
    app.router.add_post("/control/external", routes.record_external)
    app.router.add_get("/control/clock", routes.clock)
    app.router.add_post("/control/clock", routes.advance_clock)
    app.router.add_get("/control/held", routes.held)


class _ControlRoutes:
    def __init__(self, state: EmulatorState) -> None:
        self._state = state

    async def send(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        try:
            update = self._state.user_sends(
                int(body["user_id"]), str(body["text"]), **_pick(body, _SEND_FIELDS)
            )
        except (KeyError, TypeError, ValueError) as error:
            return _problem(400, f"bad send request: {error!r}")
        return await self._answer_update(request, update)

    async def press(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        try:
            update = self._state.user_presses(int(body["user_id"]), **_pick(body, _PRESS_FIELDS))
        except (KeyError, TypeError, ValueError) as error:
            return _problem(400, str(error) if isinstance(error, ValueError) else repr(error))
        return await self._answer_update(request, update)

    async def _answer_update(self, request: web.Request, update: dict[str, Any]) -> web.Response:
        if request.query.get("wait") in ("1", "true"):
            try:
                timeout = float(request.query.get("timeout", "10"))
                await self._state.wait_consumed(update["update_id"], timeout)
            except TimeoutError as error:
                return _problem(504, str(error))
        consumed = self._state.updates.is_consumed(update["update_id"])
        return web.json_response({"update": update, "consumed": consumed})

    async def chats(self, request: web.Request) -> web.Response:
        chats = [
            {**chat, "message_count": len(self._state.messages(chat["id"]))} for chat in self._state.chats()
        ]
        return web.json_response({"chats": chats})

    async def messages(self, request: web.Request) -> web.Response:
        try:
            chat_id = int(request.match_info["chat_id"])
        except ValueError:
            return _problem(400, "chat_id must be an integer")
        return web.json_response(
            {
                "chat_id": chat_id,
                "messages": [message_view(m) for m in self._state.messages(chat_id)],
                "callback_answers": [asdict(a) for a in self._state.callback_answers(chat_id)],
            }
        )

    async def file(self, request: web.Request) -> web.Response:
        """A file the bot sent, as it sent it: the demo page shows pictures (the routekaart) inline."""
        stored = self._state.file(request.match_info["file_id"])
        if stored is None or not stored.data:
            return _problem(404, "no such file")
        media_type = stored.mime_type or ""
        if media_type in ("", "application/octet-stream"):  # what a multipart upload usually says
            media_type = mimetypes.guess_type(stored.filename)[0] or ""
        if media_type not in _INLINE_TYPES:
            media_type = "application/octet-stream"  # anything else is only ever downloaded
        return web.Response(
            body=stored.data,
            content_type=media_type,
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(stored.filename)}",
                "X-Content-Type-Options": "nosniff",
                # The bot's SVG opened on its own is a document of this origin: no scripts, nothing loaded.
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "font-src data:; img-src data:",
            },
        )

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: one `data: {json}` block per change."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue = self._state.subscribe()
        request.app[SSE_QUEUES].add(queue)
        try:
            await response.write(b": connected\n\n")
            while (event := await queue.get()) is not _CLOSING:
                await response.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
        except ConnectionResetError:
            pass  # the viewer went away
        finally:
            self._state.unsubscribe(queue)
            request.app[SSE_QUEUES].discard(queue)
        return response

    async def reset(self, request: web.Request) -> web.Response:
        self._state.reset()
        return web.json_response({"ok": True})

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(asdict(self._state.stats()))

    async def faults(self, request: web.Request) -> web.Response:
        """Body: FaultPlan fields as JSON (`kinds` and `methods` as lists); `{}` clears faults."""
        body = await _json_body(request)
        try:
            if "kinds" in body:
                body["kinds"] = tuple(body["kinds"])
            if "methods" in body:
                body["methods"] = frozenset(body["methods"])
            plan = FaultPlan(**body)
        except TypeError as error:
            return _problem(400, f"bad fault plan: {error}")
        self._state.inject_faults(plan)
        return web.json_response({"ok": True})

    # -- what the browser page needs beyond the chats ------------------------------------
    async def roster(self, request: web.Request) -> web.Response:
        people = self._state.roster()
        schools = list(dict.fromkeys(p.school for p in people))  # first-seen order, no repeats
        return web.json_response({"people": [person_view(p) for p in people], "schools": schools})

    async def set_roster(self, request: web.Request) -> web.Response:
        """Body: {"people": [{"user_id", "name", "roles", "school", "language"?}, ...]}."""
        body = await _json_body(request)
        try:
            people = [_person(raw) for raw in body["people"]]
            self._state.set_roster(people)
        except (KeyError, TypeError, ValueError) as error:
            return _problem(400, f"bad roster: {error!r}")
        return web.json_response({"ok": True, "count": len(people)})

    async def external(self, request: web.Request) -> web.Response:
        return web.json_response({"external": [external_view(d) for d in self._state.externals()]})

    async def record_external(self, request: web.Request) -> web.Response:
        """The same as state.record_external, for trying the outbox pane by hand."""
        body = await _json_body(request)
        try:
            to_user = body.get("to_user_id")
            delivery = self._state.record_external(
                str(body["channel"]),
                None if to_user is None else int(to_user),
                str(body.get("address", "")),
                str(body.get("subject", "")),
                str(body["text"]),
                dict(body.get("meta") or {}),
            )
        except (KeyError, TypeError, ValueError) as error:
            return _problem(400, f"bad external delivery: {error!r}")
        return web.json_response(external_view(delivery))

    async def clock(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"now": self._state.clock_now().isoformat(), "can_advance": self._state.can_advance_clock}
        )

    async def held(self, request: web.Request) -> web.Response:
        """What the bot holds back for quiet hours, per member: the page marks it "wacht tot 07:30"."""
        return web.json_response({"held": await self._state.held()})

    async def advance_clock(self, request: web.Request) -> web.Response:
        """Body: {"advance": "+1d"}; answers the handler's result with "now" and "step"."""
        body = await _json_body(request)
        step = body.get("advance")
        if not isinstance(step, str):
            return _problem(400, 'body must be {"advance": "+1d"} (or +30m, +2h, +1w)')
        try:
            return web.json_response(await self._state.advance_clock(step))
        except ClockNotWired as error:
            return _problem(501, str(error))
        except ValueError as error:
            return _problem(400, str(error))


async def _end_event_streams(app: web.Application) -> None:
    for queue in app[SSE_QUEUES]:
        queue.put_nowait(_CLOSING)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "body must be JSON"}') from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be a JSON object"}')
    return body


def _person(raw: dict[str, Any]) -> Person:
    roles = raw.get("roles", [])
    if not isinstance(roles, list):
        raise TypeError("roles must be a list of strings")
    return Person(
        int(raw["user_id"]),
        str(raw["name"]),
        [str(r) for r in roles],
        str(raw.get("school", "")),
        str(raw.get("language", "nl")),
        [str(n) for n in raw.get("role_names", [])],
        bool(raw.get("starter", False)),
    )


def _pick(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: body[name] for name in names if name in body}


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
