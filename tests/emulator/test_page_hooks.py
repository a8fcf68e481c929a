"""The hooks the browser page and the bot runner meet at: roster, outbox, clock, and the page itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from emulator import ClockNotWired, EmulatorState, Person, RunningEmulator, parse_step
from flows.clock import FrozenClock

pytestmark = pytest.mark.asyncio

ANNA = Person(101, "Anna de Vries", ["leerkracht"], "De Vlinder", "nl")
BRAM = Person(102, "Bram Jansen", ["ib"], "De Vlinder", "en")


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _drain(events: Any) -> list[dict[str, Any]]:
    out = []
    while not events.empty():
        out.append(events.get_nowait())
    return out


async def test_roster_survives_reset_and_is_published(state: EmulatorState) -> None:
    events = state.subscribe()
    state.set_roster([ANNA, BRAM])
    state.reset()
    assert state.roster() == [ANNA, BRAM]
    assert [e["type"] for e in _drain(events)] == ["roster", "reset"]
    with pytest.raises(ValueError, match="twice"):
        state.set_roster([ANNA, ANNA])


async def test_roster_members_can_be_written_to_before_they_write(state: EmulatorState) -> None:
    state.set_roster([ANNA, BRAM])
    assert [c["first_name"] for c in state.chats()] == ["Anna de Vries", "Bram Jansen"]
    assert state.updates.pending_count == 0  # opening a chat is not an update the bot sees
    sent = state.user_sends(102, "/start")
    assert sent["message"]["from"]["language_code"] == "en"
    state.reset()
    assert len(state.chats()) == 2 and state.messages(102) == []


async def test_external_deliveries_are_kept_published_and_reset(
    state: EmulatorState, clock: FrozenClock
) -> None:
    events = state.subscribe()
    kept = state.record_external(
        "email", 101, "anna@school.nl", "Signaal", "Er is een signaal.", {"ics": True}
    )
    assert state.externals() == [kept] and kept.at == clock.now()
    (event,) = _drain(events)
    assert event["type"] == "external" and event["to_user_id"] == 101 and event["meta"] == {"ics": True}
    assert event["at"] == clock.now().isoformat()
    state.reset()
    assert state.externals() == []


@pytest.mark.parametrize(
    ("step", "delta"),
    [
        ("+30m", timedelta(minutes=30)),
        ("+2h", timedelta(hours=2)),
        ("+1d", timedelta(days=1)),
        ("+1w", timedelta(weeks=1)),
    ],
)
async def test_clock_steps(step: str, delta: timedelta) -> None:
    assert parse_step(step) == delta


@pytest.mark.parametrize("step", ["1d", "-1d", "+0d", "+1y", "+d", ""])
async def test_bad_clock_steps(step: str) -> None:
    with pytest.raises(ValueError, match="bad clock step"):
        parse_step(step)


async def test_advance_clock_runs_the_handler_and_publishes(state: EmulatorState, clock: FrozenClock) -> None:
    with pytest.raises(ClockNotWired):
        await state.advance_clock("+1d")
    seen: list[str] = []

    async def handler(step: str) -> dict[str, Any]:
        seen.append(step)
        clock.advance(parse_step(step))
        return {"fired": 2}

    state.set_clock_handler(handler)
    events = state.subscribe()
    result = await state.advance_clock("+1d")
    assert seen == ["+1d"]
    assert result == {"fired": 2, "now": clock.now().isoformat(), "step": "+1d"}
    assert _drain(events) == [{"type": "clock", **result}]


async def test_control_roster_external_and_clock(
    emulator: RunningEmulator, state: EmulatorState, clock: FrozenClock, http: aiohttp.ClientSession
) -> None:
    base = emulator.base_url
    people = [
        {"user_id": 1, "name": "Anna", "roles": ["leerkracht"], "school": "B"},
        {"user_id": 2, "name": "Cas", "roles": ["gs"], "school": "A"},
        {"user_id": 3, "name": "Dirk", "roles": ["ib"], "school": "B", "language": "en"},
    ]
    async with http.post(f"{base}/control/roster", json={"people": people}) as resp:
        assert resp.status == 200
    async with http.get(f"{base}/control/roster") as resp:
        body = await resp.json()
    assert body["schools"] == ["B", "A"] and body["people"][2]["language"] == "en"
    async with http.post(f"{base}/control/roster", json={"people": [{"name": "x"}]}) as resp:
        assert resp.status == 400

    async with http.post(f"{base}/control/external", json={"channel": "whatsapp", "text": "Hoi"}) as resp:
        assert (await resp.json())["to_user_id"] is None
    async with http.get(f"{base}/control/external") as resp:
        assert [d["channel"] for d in (await resp.json())["external"]] == ["whatsapp"]

    async with http.get(f"{base}/control/clock") as resp:
        assert await resp.json() == {"now": clock.now().isoformat(), "can_advance": False}
    async with http.post(f"{base}/control/clock", json={"advance": "+1d"}) as resp:
        assert resp.status == 501 and "set_clock_handler" in (await resp.json())["error"]

    async def handler(step: str) -> dict[str, Any]:
        clock.advance(parse_step(step))
        return {"fired": 0}

    state.set_clock_handler(handler)
    before = clock.now()
    async with http.post(f"{base}/control/clock", json={"advance": "+1w"}) as resp:
        assert (await resp.json())["now"] == (before + timedelta(weeks=1)).isoformat()
    async with http.post(f"{base}/control/clock", json={"advance": "tomorrow"}) as resp:
        assert resp.status == 400


async def test_browser_gets_the_page_and_curl_the_usage(
    emulator: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{emulator.base_url}/", headers={"Accept": "text/html,*/*;q=0.8"}) as resp:
        page = await resp.text()
    assert '<html lang="nl">' in page and "/web/app.js" in page
    for name in ("app.js", "app.css"):
        async with http.get(f"{emulator.base_url}/web/{name}") as resp:
            assert resp.status == 200
    async with http.get(f"{emulator.base_url}/", headers={"Accept": "*/*"}) as resp:
        assert "/control/clock" in await resp.text()


async def test_control_held_lists_what_the_bot_holds_for_quiet_hours(
    emulator: RunningEmulator, state: EmulatorState, http: aiohttp.ClientSession
) -> None:
    base = emulator.base_url
    async with http.get(f"{base}/control/held") as resp:
        assert await resp.json() == {"held": []}  # no bot wired: nothing held

    rows = [{"to_user_id": 102, "channel": "telegram", "due_at": "2026-11-24T06:30:00+00:00"}]

    async def held() -> list[dict[str, object]]:
        return rows

    state.set_held_reader(held)
    async with http.get(f"{base}/control/held") as resp:
        assert await resp.json() == {"held": rows}


async def test_the_roster_carries_role_names_and_who_may_start(
    emulator: RunningEmulator, http: aiohttp.ClientSession
) -> None:
    base = emulator.base_url
    people = [
        {
            "user_id": 1,
            "name": "Anna",
            "roles": ["leerkracht"],
            "school": "B",
            "role_names": ["leerkracht"],
            "starter": True,
        },
        {"user_id": 2, "name": "Mark", "roles": ["ib"], "school": "B", "role_names": ["intern begeleider"]},
    ]
    async with http.post(f"{base}/control/roster", json={"people": people}) as resp:
        assert resp.status == 200
    async with http.get(f"{base}/control/roster") as resp:
        body = await resp.json()
    assert [(p["role_names"], p["starter"]) for p in body["people"]] == [
        (["leerkracht"], True),
        (["intern begeleider"], False),
    ]
