"""The raw HTTP surface: body encodings, tokens, unknown methods, and the control API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Router
from aiogram.types import Message

from emulator import EmulatorState, RunningEmulator, start_emulator

from .support import TOKEN, StartPolling

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_unknown_method_is_404(emulator: RunningEmulator, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{emulator.base_url}/bot{TOKEN}/sendPigeon") as resp:
        assert resp.status == 404
        assert await resp.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }


@pytest.mark.parametrize("encoding", ["json", "form"])
async def test_json_and_urlencoded_bodies(
    emulator: RunningEmulator,
    state: EmulatorState,
    http: aiohttp.ClientSession,
    encoding: str,
) -> None:
    state.user_sends(42, "hallo")
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    url = f"{emulator.base_url}/bot{TOKEN}/sendMessage"
    if encoding == "json":
        request = http.post(url, json={"chat_id": 42, "text": "Kies", "reply_markup": markup})
    else:
        form = {"chat_id": "42", "text": "Kies", "reply_markup": json.dumps(markup)}
        request = http.post(url, data=form)
    async with request as resp:
        body = await resp.json()
    assert body["ok"] and body["result"]["reply_markup"] == markup
    assert state.last_bot_message(42).button_texts() == ["Ja"]


async def test_a_fixed_token_refuses_others(state: EmulatorState, http: aiohttp.ClientSession) -> None:
    async with await start_emulator(state, token=TOKEN) as emulator:
        async with http.post(f"{emulator.base_url}/bot123:wrong/getMe") as resp:
            assert resp.status == 401
        async with http.post(f"{emulator.base_url}/bot{TOKEN}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == "zorgroute_bot"


async def test_control_send_waits_for_the_handler(
    emulator: RunningEmulator,
    state: EmulatorState,
    http: aiohttp.ClientSession,
    start_polling: StartPolling,
) -> None:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(f"echo {message.text}")

    await start_polling(router)
    body = {"user_id": 42, "text": "hoi", "first_name": "Sanne"}
    async with http.post(f"{emulator.base_url}/control/send?wait=1", json=body) as resp:
        assert (await resp.json())["consumed"] is True

    async with http.get(f"{emulator.base_url}/control/chats/42/messages") as resp:
        messages = (await resp.json())["messages"]
    assert [(m["from_bot"], m["text"]) for m in messages] == [
        (False, "hoi"),
        (True, "echo hoi"),
    ]
    async with http.get(f"{emulator.base_url}/control/chats") as resp:
        [chat] = (await resp.json())["chats"]
    assert (chat["first_name"], chat["message_count"]) == ("Sanne", 2)


async def test_control_press_reports_missing_buttons(
    emulator: RunningEmulator, state: EmulatorState, http: aiohttp.ClientSession
) -> None:
    state.user_sends(42, "hallo")
    body = {"user_id": 42, "button_text": "Ja"}
    async with http.post(f"{emulator.base_url}/control/press", json=body) as resp:
        assert resp.status == 400
        assert "no button 'Ja'" in (await resp.json())["error"]


async def test_event_stream_reports_messages(
    emulator: RunningEmulator, state: EmulatorState, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{emulator.base_url}/control/events") as resp:
        assert await resp.content.readline() == b": connected\n"
        state.user_sends(42, "hallo")
        events: list[dict[str, Any]] = []
        while len(events) < 2:
            line = await resp.content.readline()
            if line.startswith(b"data: "):
                events.append(json.loads(line.removeprefix(b"data: ")))
    assert [e["type"] for e in events] == ["message", "update"]
    assert events[0]["message"]["text"] == "hallo" and events[1]["chat_id"] == 42


async def test_reset_stats_and_index(
    emulator: RunningEmulator, state: EmulatorState, http: aiohttp.ClientSession
) -> None:
    state.user_sends(42, "hallo")
    async with http.post(f"{emulator.base_url}/control/faults", json={"rate": 1.0}) as resp:
        assert resp.status == 200
    async with http.post(
        f"{emulator.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": 42, "text": "x"}
    ) as resp:
        assert resp.status == 429
    async with http.get(f"{emulator.base_url}/control/stats") as resp:
        assert (await resp.json())["too_many_requests"] == 1
    async with http.post(f"{emulator.base_url}/control/reset") as resp:
        assert resp.status == 200
    assert state.chats() == [] and state.stats().requests == 0
    async with http.get(f"{emulator.base_url}/") as resp:
        assert "/control/send" in await resp.text()


async def test_a_lone_surrogate_travels_escaped_and_later_updates_still_arrive(
    emulator: RunningEmulator, state: EmulatorState, http: aiohttp.ClientSession
) -> None:
    # UTF-8 cannot carry "\ud800"; the answer escapes it instead of failing every getUpdates after it.
    state.user_sends(42, "moe \ud800 en stil")
    state.user_sends(42, "daarna")
    async with http.post(f"{emulator.base_url}/bot{TOKEN}/getUpdates", json={"timeout": 0}) as resp:
        assert resp.status == 200
        raw = await resp.text()
    assert "\\ud800" in raw
    texts = [u["message"]["text"] for u in json.loads(raw)["result"]]
    assert texts == ["moe \ud800 en stil", "daarna"]
