"""Webhook delivery: POST each update, in order, to the bot's URL until it answers 2xx."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from emulator.errors import ApiError, TransportFault
from emulator.methods import call_method
from emulator.models import WebhookConfig
from emulator.params import FilePart, Params
from emulator.state import EmulatorState

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    def __init__(self, state: EmulatorState, *, retry_delay: float = 1.0, timeout: float = 10.0) -> None:
        self._state = state
        self._retry_delay = retry_delay
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def run(self) -> None:
        """Deliver forever; cancel the task to stop."""
        updates = self._state.updates
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            while True:
                cfg = self._state.webhook
                update = updates.next_pending() if cfg is not None else None
                if cfg is None or update is None:
                    await updates.wait_changed()
                    continue
                if await self._deliver(session, cfg, update):
                    updates.confirm(update["update_id"])
                else:
                    # Telegram also backs off before retrying a failing webhook.
                    await asyncio.sleep(self._retry_delay)

    async def _deliver(
        self, session: aiohttp.ClientSession, cfg: WebhookConfig, update: dict[str, Any]
    ) -> bool:
        headers = {SECRET_HEADER: cfg.secret_token} if cfg.secret_token else {}
        try:
            async with session.post(cfg.url, json=update, headers=headers) as resp:
                if not 200 <= resp.status < 300:
                    self._failed(
                        cfg,
                        f"Wrong response from the webhook: {resp.status} {resp.reason}",
                    )
                    return False
                await self._run_reply(resp)
                return True
        except (aiohttp.ClientError, TimeoutError) as error:
            self._failed(cfg, f"Connection failed: {type(error).__name__}")
            return False

    def _failed(self, cfg: WebhookConfig, message: str) -> None:
        cfg.last_error_date = self._state.now()
        cfg.last_error_message = message
        log.info("webhook delivery to %s failed: %s", cfg.url, message)

    async def _run_reply(self, resp: aiohttp.ClientResponse) -> None:
        # A webhook may answer with one method call in its body (aiogram does when a handler
        # returns a method); Telegram runs it and reports nothing back.
        params = await _reply_params(resp)
        if params is None:
            return
        method, values = params
        try:
            await call_method(self._state, method, values)
        except (ApiError, TransportFault) as error:
            log.info("method %s in webhook reply failed: %s", method, error)


async def _reply_params(resp: aiohttp.ClientResponse) -> tuple[str, Params] | None:
    if resp.content_type == "application/json":
        body = await resp.json()
        if isinstance(body, dict) and isinstance(body.get("method"), str):
            return body.pop("method"), Params(body)
        return None
    if resp.content_type != "multipart/form-data":
        return None
    values: dict[str, str] = {}
    files: dict[str, FilePart] = {}
    reader = aiohttp.MultipartReader(resp.headers, resp.content)
    while (part := await reader.next()) is not None:
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        if part.filename:
            files[part.name] = FilePart(part.filename, part.headers.get("Content-Type"), await part.read())
        else:
            values[part.name] = await part.text()
    method = values.pop("method", None)
    return (method, Params(values, files)) if method else None
