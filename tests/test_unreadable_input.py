"""Text Telegram's clients never send but a body can carry: a lone surrogate ("\\ud800") is valid JSON and
no valid UTF-8. It gets a polite "could not read that", and nothing of it is stored (it could not be
shown back, so a summary or a case view with it would fail for good)."""

from __future__ import annotations

import json
from typing import Any

from bot.app import Runtime
from emulator.state import EmulatorState
from flows.clock import FrozenClock
from tests.feeding import bot, feed, teachers

__all__ = ["bot"]  # the fixture

JUF = 901


def typed(state: EmulatorState, user_id: int, text: str) -> dict[str, Any]:
    """An update with `text`, as it arrives in a webhook body (JSON escapes the surrogate)."""
    update = state.user_sends(user_id, "placeholder")
    update["message"]["text"] = text
    return dict(json.loads(json.dumps(update)))


async def test_a_lone_surrogate_is_answered_politely_and_not_stored(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    runtime, state = bot
    await teachers(runtime, state, clock, [JUF])
    await feed(runtime, state.user_sends(JUF, "/signaal"))
    await feed(runtime, state.user_sends(JUF, "ab 5B"))
    for button in ("Zorg (thuis)", "☐ Thuissituatie", "Klaar"):
        await feed(runtime, state.user_presses(JUF, button_text=button))
    assert "Overslaan" in [b.text for row in state.last_bot_message(JUF).buttons for b in row]  # the note

    await feed(runtime, typed(state, JUF, "moe \ud800 en stil"))

    assert state.last_bot_message(JUF).text == (
        "Dat kon ik niet lezen: er stond een teken in dat niet bestaat. Typ het nog eens."
    )
    await feed(runtime, state.user_sends(JUF, "moe en stil"))  # the form still waits for the note
    assert "Is er zorg over de veiligheid thuis?" in state.last_bot_message(JUF).text
    await feed(runtime, state.user_presses(JUF, button_text="Nee"))
    assert "moe en stil" in state.last_bot_message(JUF).text  # the summary


async def test_a_stranger_with_a_lone_surrogate_is_refused_as_any_stranger(
    bot: tuple[Runtime, EmulatorState],
) -> None:
    runtime, state = bot
    await feed(runtime, typed(state, 902, "hallo \udc00"))
    assert state.last_bot_message(902).text.startswith("Hallo! Zorgroute is alleen voor professionals")
