"""/taal switches between Dutch and English and is remembered across a restart."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

INEKE = 1001


async def test_taal_switches_and_persists_across_restart(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(INEKE, "ib", name="Ineke")

        await h.send(INEKE, "/taal")
        assert h.received(INEKE) == ["Kies je taal:"]
        assert h.buttons(INEKE) == ["Nederlands", "English"]

        await h.press(INEKE, "English")
        assert h.received(INEKE) == ["I'll speak English with you from now on."]
        await h.send(INEKE, "/help")
        assert "What you can do here" in h.last(INEKE)

        await h.restart()

        await h.send(INEKE, "/help")
        assert "What you can do here" in h.last(INEKE)
        await h.send(INEKE, "what?")
        assert h.last(INEKE) == "I didn't understand that. See /help for what you can do."

        await h.send(INEKE, "/language")
        await h.press(INEKE, "Nederlands")
        assert h.last(INEKE) == "Ik spreek nu Nederlands met je."
        member = await h.member(INEKE)
        assert member is not None and member.language == "nl"


async def test_cancel_clears_a_conversation(settings: Settings, clock: FrozenClock) -> None:
    from bot.states import VotPlan

    async with BotHarness(settings, clock=clock) as h:
        await h.register(INEKE, "leerkracht", name="Ineke")
        await h.send(INEKE, "/annuleer")
        assert h.last(INEKE) == "Er liep niets om te stoppen. Zie /help voor wat je kunt doen."

        assert h.runtime is not None
        state = h.runtime.dp.fsm.get_context(h.runtime.bot, chat_id=INEKE, user_id=INEKE)
        await state.set_state(VotPlan.time)  # outside an update: a transaction of its own
        await state.set_data({"school": 1, "date": "2026-11-30"})
        await h.restart()  # dialogue state lives in the database

        assert h.runtime is not None
        state = h.runtime.dp.fsm.get_context(h.runtime.bot, chat_id=INEKE, user_id=INEKE)
        assert await state.get_state() == VotPlan.time.state
        await h.send(INEKE, "/cancel")
        assert h.last(INEKE) == "Gestopt. Je kunt opnieuw beginnen; zie /help."
        assert await state.get_state() is None and await state.get_data() == {}
        async with h.uow() as uow:
            assert await uow.fsm.get(f"fsm:{INEKE}:{INEKE}:default") == (None, {})  # no row left behind


async def test_a_stale_button_is_answered(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(INEKE, "ib")
        await h.press(INEKE, data="gone:1")
        assert h.callback_answers(INEKE) == ["Deze knop werkt niet meer."]
