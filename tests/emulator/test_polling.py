"""A real Dispatcher long-polls the emulator: consumed means handled (handle_as_tasks=False)."""

from __future__ import annotations

import pytest
from aiogram import F, Router
from aiogram.filters import CommandStart
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from emulator import EmulatorState

from .support import StartPolling

pytestmark = pytest.mark.asyncio


def yes_no_router() -> Router:
    router = Router(name="yes_no")

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        buttons = [
            InlineKeyboardButton(text="Ja", callback_data="answer:yes"),
            InlineKeyboardButton(text="Nee", callback_data="answer:no"),
        ]
        await message.answer("Doe je mee?", reply_markup=InlineKeyboardMarkup(inline_keyboard=[buttons]))

    @router.callback_query(F.data.startswith("answer:"))
    async def answered(query: CallbackQuery) -> None:
        await query.answer(f"ontvangen {query.data}", show_alert=query.data == "answer:no")
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"Je koos {query.data}")

    @router.callback_query()
    async def forged(query: CallbackQuery) -> None:
        # What a well-behaved bot does with data it never issued: refuse, visibly.
        await query.answer("Onbekende knop", show_alert=True)

    return router


async def test_consumed_update_has_been_handled(state: EmulatorState, start_polling: StartPolling) -> None:
    await start_polling(yes_no_router())
    update = state.user_sends(42, "/start", first_name="Sanne")
    await state.wait_consumed(update["update_id"])
    reply = state.last_bot_message(42)
    assert reply.text == "Doe je mee?"
    assert reply.button_texts() == ["Ja", "Nee"]


async def test_press_by_button_text(state: EmulatorState, start_polling: StartPolling) -> None:
    await start_polling(yes_no_router())
    await state.wait_consumed(state.user_sends(42, "/start")["update_id"])
    press = state.user_presses(42, button_text="Nee")
    assert press["callback_query"]["data"] == "answer:no"
    await state.wait_consumed(press["update_id"])
    assert state.last_bot_message(42).text == "Je koos answer:no"
    [answer] = state.callback_answers(42)
    assert (answer.text, answer.show_alert) == ("ontvangen answer:no", True)


async def test_forged_data_reaches_the_bot(state: EmulatorState, start_polling: StartPolling) -> None:
    await start_polling(yes_no_router())
    await state.wait_consumed(state.user_sends(42, "/start")["update_id"])
    press = state.user_presses(42, data="admin:delete-everything")
    await state.wait_consumed(press["update_id"])
    [answer] = state.callback_answers(42)
    assert answer.text == "Onbekende knop"
    assert state.last_bot_message(42).edits == 0


async def test_missing_button_lists_the_ones_there(state: EmulatorState, start_polling: StartPolling) -> None:
    await start_polling(yes_no_router())
    await state.wait_consumed(state.user_sends(42, "/start")["update_id"])
    with pytest.raises(ValueError, match=r"no button 'Misschien'.*\['Ja', 'Nee'\]"):
        state.user_presses(42, button_text="Misschien")


async def test_wait_consumed_times_out_without_a_bot(state: EmulatorState) -> None:
    update = state.user_sends(42, "/start")
    with pytest.raises(TimeoutError, match="not consumed"):
        await state.wait_consumed(update["update_id"], timeout=0.05)
