"""The in-process API on its own: the Update shapes the bot will receive."""

from __future__ import annotations

import asyncio

import pytest

from emulator import EmulatorState
from emulator.errors import ApiError

pytestmark = pytest.mark.asyncio


async def test_command_gets_a_bot_command_entity(state: EmulatorState) -> None:
    update = state.user_sends(42, "/start ref-1", username="sanne", language_code="en")
    message = update["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["chat"] == {
        "id": 42,
        "type": "private",
        "first_name": "User",
        "username": "sanne",
    }
    assert message["from"]["language_code"] == "en"
    assert "entities" not in state.user_sends(42, "gewoon tekst")["message"]


async def test_group_edit_and_channel_updates(state: EmulatorState) -> None:
    sent = state.user_sends(7, "hoi groep", chat_id=-100, chat_type="group")
    assert sent["message"]["chat"]["type"] == "group"
    edited = state.user_edits(7, sent["message"]["message_id"], "hoi allemaal", chat_id=-100)
    assert edited["edited_message"]["text"] == "hoi allemaal"
    assert state.messages(-100)[0].edits == 1
    post = state.channel_post(-200, "nieuws")
    assert post["channel_post"]["sender_chat"]["id"] == -200
    ids = [u["update_id"] for u in (sent, edited, post)]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_offset_confirms_and_long_poll_wakes(state: EmulatorState) -> None:
    first = state.user_sends(42, "een")
    queue = state.updates
    assert await queue.fetch(limit=100, timeout=0) == [first]

    queue.confirm_below(first["update_id"] + 1)
    await state.wait_consumed(first["update_id"], timeout=0.1)
    poll = asyncio.create_task(queue.fetch(limit=100, timeout=5))
    await asyncio.sleep(0)  # one turn of the loop: the poll runs up to its wait, not a delay
    assert not poll.done()
    second = state.user_sends(42, "twee")
    assert await poll == [second]


async def test_a_second_poller_ends_the_first_with_409(state: EmulatorState) -> None:
    queue = state.updates
    first = asyncio.create_task(queue.fetch(limit=100, timeout=5))
    await asyncio.sleep(0)  # one turn of the loop: the first poll is now waiting
    second = asyncio.create_task(queue.fetch(limit=100, timeout=5))
    with pytest.raises(ApiError, match="terminated by other getUpdates") as caught:
        await first
    assert caught.value.error_code == 409
    queue.release_polls()
    assert await second == []


async def test_subscribers_see_changes(state: EmulatorState) -> None:
    events = state.subscribe()
    state.user_sends(42, "hallo")
    assert events.get_nowait()["type"] == "message"
    assert events.get_nowait()["type"] == "update"
    state.unsubscribe(events)
    state.user_sends(42, "weer")
    assert events.empty()
