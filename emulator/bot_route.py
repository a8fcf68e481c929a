"""The HTTP face of the Bot API: `/bot{token}/{method}`, answered in Telegram's envelope."""

from __future__ import annotations

import asyncio
import json
import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator.errors import ApiError, TransportFault, bad_request
from emulator.methods import call_method
from emulator.params import FilePart, Params
from emulator.state import EmulatorState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _dumps(value: Any) -> str:
    """JSON that stays readable when someone curls the API by hand (Dutch text unescaped), except where a
    text holds a lone surrogate: UTF-8 cannot carry it, so that answer escapes it (`\\ud800`) as any
    JSON encoder may, instead of failing every getUpdates after it."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value)
    return text


def bot_api_handler(state: EmulatorState, token: str | None) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        if token is not None and request.match_info["token"] != token:
            return _error(ApiError(401, "Unauthorized"))
        try:
            params = await read_params(request)
            result = await call_method(state, request.match_info["method"], params)
        except ApiError as error:
            return _error(error)
        except TransportFault as fault:
            return await _break_transport(request, fault)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    return handle


async def read_params(request: web.Request) -> Params:
    """Query string plus a JSON, urlencoded or multipart body, as Telegram accepts all four."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, FilePart] = {}
    if not request.body_exists:
        return Params(values)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON body must be an object")
        values.update(body)
    elif request.content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = _file_part(value)
            else:
                values[key] = value
    return Params(values, files)


def _file_part(field: web.FileField) -> FilePart:
    # aiohttp clients (aiogram too) label every upload octet-stream; Telegram guesses from the name.
    mime: str | None = field.content_type
    if mime in (None, "application/octet-stream"):
        mime = mimetypes.guess_type(field.filename)[0] or mime
    return FilePart(field.filename, mime, field.file.read())


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.error_code, dumps=_dumps)


async def _break_transport(request: web.Request, fault: TransportFault) -> web.StreamResponse:
    if fault.kind == "hang":
        # The client's timeout is meant to fire first; this answer is only for patient clients.
        await asyncio.sleep(fault.hang_seconds)
        return _error(ApiError(502, "Bad Gateway"))
    if request.transport is not None:
        request.transport.abort()  # no response at all, like a connection reset mid-request
    # aiohttp finds the transport gone and writes nothing; raising instead would log an error.
    return web.Response(status=204)
