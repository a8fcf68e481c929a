"""The Mini App over a BotHarness: its own aiohttp test server on the harness's database, clock and token,
and initData signed the way Telegram signs it (emulator/web_app.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import EMULATOR_TOKEN
from bot.webapp.routes import STAND_IN, mount_webapp, webapp_for
from emulator.web_app import sign_init_data
from tests.harness import BotHarness


@asynccontextmanager
async def webapp_client(h: BotHarness) -> AsyncIterator[TestClient]:
    assert h.runtime is not None
    app = web.Application()
    mount_webapp(app, webapp_for(h.runtime, telegram_script=STAND_IN))
    async with TestClient(TestServer(app)) as client:
        yield client


def init_data(user_id: int, at: datetime, token: str = EMULATOR_TOKEN) -> str:
    return sign_init_data(token, user_id, at)


async def open_session(client: TestClient, raw: str) -> int:
    response = await client.post("/app/session", data={"init_data": raw})
    return response.status
