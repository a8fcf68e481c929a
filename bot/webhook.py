"""The webhook door: aiogram's request handler, with a body that is not a Telegram update refused as 400.

aiogram parses the body inside the request (malformed JSON became a 500) or, in the background, inside a
task nobody awaits (a JSON object that is not an update died there as an unhandled task error, after the
200 was sent). Here the body is parsed and validated first; only a real update reaches the dispatcher.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

log = logging.getLogger(__name__)


class CheckedRequestHandler(SimpleRequestHandler):
    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            return web.Response(body="Unauthorized", status=401)
        update = await _update_of(request, bot)
        if update is None:
            return web.Response(text="Bad Request: not a Telegram update", status=400)
        if not self.handle_in_background:
            result: TelegramMethod[Any] | None
            try:
                result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
            except Exception:
                # Answered all the same: an update that fails would otherwise come back again and again,
                # and Telegram holds the chat's later updates behind it. Only a worker that died (no
                # answer at all) gets its update again, and then it runs once (bot/middlewares/turns.py).
                log.exception("webhook update %s failed", update.update_id)
                return web.json_response({}, dumps=bot.session.json_dumps)
            return web.Response(body=self._build_response_writer(bot=bot, result=result))
        task = asyncio.create_task(self._feed(bot, update))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({}, dumps=bot.session.json_dumps)

    async def _feed(self, bot: Bot, update: Update) -> None:
        # Errors are the dispatcher's to log (aiogram's error observers run inside feed_update); this
        # only keeps one from escaping as "Task exception was never retrieved".
        try:
            await self.dispatcher.feed_update(bot, update, **self.data)
        except Exception:
            log.exception("webhook update %s failed", update.update_id)

    __call__ = handle


async def _update_of(request: web.Request, bot: Bot) -> Update | None:
    try:
        body: Any = await request.json(loads=bot.session.json_loads)
        if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
            return None
        return Update.model_validate(body, context={"bot": bot})
    except (ValueError, ValidationError, UnicodeDecodeError):
        return None
