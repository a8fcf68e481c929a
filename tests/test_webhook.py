"""Webhook mode: Telegram's secret header is required; /healthz says the worker is alive, /readyz that
its database answers and has this code's schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.app import prepare
from bot.runner import StartupError, build_webhook_app
from bot.settings import Settings
from emulator.server import RunningEmulator, start_emulator
from emulator.state import EmulatorState
from storage.db import create_engine

TOKEN = "123456:" + "W" * 35
SECRET = "s3cret-header-value"


@pytest.fixture
async def emulator() -> AsyncIterator[RunningEmulator]:
    running = await start_emulator(EmulatorState(), "127.0.0.1", 0)
    yield running
    await running.close()


@pytest.fixture
async def client(settings: Settings, emulator: RunningEmulator) -> AsyncIterator[TestClient]:
    configured = settings.model_copy(
        update={"telegram_bot_token": TOKEN, "webhook_secret": SECRET, "telegram_api_base": emulator.base_url}
    )
    runtime = await prepare(configured)
    app = build_webhook_app(runtime, handle_in_background=False)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    await runtime.db_engine.dispose()


async def test_updates_need_the_secret_header(client: TestClient, emulator: RunningEmulator) -> None:
    update = emulator.state.user_sends(31, "hallo")  # a real update as Telegram would push it
    path = "/telegram/webhook"

    missing = await client.post(path, json=update)
    wrong = await client.post(path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
    assert (missing.status, wrong.status) == (401, 401)
    assert emulator.state.bot_messages(31) == []

    right = await client.post(path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert right.status == 200
    [reply] = emulator.state.bot_messages(31)
    assert reply.text.startswith("Hallo! Zorgroute is alleen voor professionals")


async def test_healthz(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_needs_the_database_at_the_newest_migration(
    client: TestClient, settings: Settings
) -> None:
    ready = await client.get("/readyz")
    assert (ready.status, await ready.json()) == (200, {"status": "ok"})

    engine = create_engine(settings.database_url)  # the database is rolled back behind the code
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    finally:
        await engine.dispose()
    behind = await client.get("/readyz")
    assert (behind.status, await behind.json()) == (503, {"status": "error", "database": "migrations behind"})
    alive = await client.get("/healthz")
    assert alive.status == 200  # alive all the same: a load balancer stops sending, nobody restarts it


async def test_an_update_that_fails_is_answered_all_the_same(
    client: TestClient, emulator: RunningEmulator, settings: Settings
) -> None:
    # Telegram would send it again and again, and hold the chat's later updates behind it.
    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as connection:  # every update now fails in its unit of work
            await connection.execute(text("DROP TABLE processed_update"))
    finally:
        await engine.dispose()
    update = emulator.state.user_sends(32, "hallo")
    response = await client.post(
        "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status == 200
    assert emulator.state.bot_messages(32) == []  # it failed: nothing was said


async def test_webhook_refuses_to_start_without_a_secret(settings: Settings) -> None:
    runtime = await prepare(settings.model_copy(update={"telegram_bot_token": TOKEN}))
    try:
        with pytest.raises(StartupError, match="ZORGROUTE_WEBHOOK_SECRET"):
            build_webhook_app(runtime)
    finally:
        await runtime.close()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"hello": "world"}', b'{"update_id": "x"}', b'{"update_id": 5, "message": 7}'],
)
async def test_a_body_that_is_not_an_update_is_a_bad_request(
    client: TestClient, emulator: RunningEmulator, body: bytes
) -> None:
    response = await client.post(
        "/telegram/webhook",
        data=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
    )
    assert response.status == 400
