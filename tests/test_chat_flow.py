"""The chat as a teacher and an IB-er live it (issue 15): an answered question keeps its answer, a step
is one message that is edited as it goes, ticked boxes read as boxes, and a confirmed summary keeps no
buttons. Through the real bot and the Bot API emulator."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

JUF, IB = 41, 42


async def test_a_step_is_one_message_that_keeps_each_answer(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(JUF, "leerkracht")
        await h.send(JUF, "/signaal")
        await h.send(JUF, "AB 5b")
        count = len(h.state.bot_messages(JUF))

        await h.press(JUF, "Zorg (thuis)")
        await h.press(JUF, "☐ Gedrag")
        await h.press(JUF, "☐ Thuissituatie")
        assert {"☑ Gedrag", "☑ Thuissituatie", "☐ Leerresultaten"} <= set(h.buttons(JUF))
        await h.press(JUF, "Klaar")
        # Every press edited the question it was made on: no new message, the answers on it.
        assert len(h.state.bot_messages(JUF)) == count
        step = h.last(JUF)
        assert "— <b>Zorg (thuis)</b>" in step
        assert "— <b>☑ Gedrag, ☑ Thuissituatie</b>" in step
        assert "toelichten" in step  # and the next question below them

        await h.press(JUF, "Overslaan")
        await h.press(JUF, "Nee")
        assert "Klopt dit?" in h.last(JUF)
        summary = h.state.last_bot_message(JUF).message_id
        await h.press(JUF, "Bevestigen")
        confirmed = next(m for m in h.state.bot_messages(JUF) if m.message_id == summary)
        assert confirmed.buttons == []  # no second Bevestigen / Annuleren
        assert "— <b>☑ Gedrag, ☑ Thuissituatie</b>" in confirmed.text
        assert "Vastgelegd" in h.last(JUF)
