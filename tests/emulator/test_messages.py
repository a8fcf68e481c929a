"""sendMessage and the edits, through the real aiogram Bot, read back from the emulator's state."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from emulator import Button, EmulatorState
from flows.clock import FrozenClock

pytestmark = pytest.mark.asyncio


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(text=t, callback_data=d) for t, d in buttons]
    return InlineKeyboardMarkup(inline_keyboard=[row])


async def test_get_me_is_the_zorgroute_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.first_name, me.username) == (
        7000000001,
        "Zorgroute",
        "zorgroute_bot",
    )
    assert me.is_bot and me.can_join_groups is False


async def test_sent_message_keeps_html_and_keyboard(
    bot: Bot, state: EmulatorState, clock: FrozenClock
) -> None:
    state.user_sends(42, "hallo")
    sent = await bot.send_message(
        42,
        "<b>Welkom</b>",
        parse_mode="HTML",
        reply_markup=keyboard(("Ja", "yes"), ("Nee", "no")),
    )
    assert sent.message_id == 2  # the user's message was 1: one sequence per chat
    assert sent.date == clock.now()
    mine = state.last_bot_message(42)
    assert mine.text == "<b>Welkom</b>" and mine.parse_mode == "HTML"
    assert mine.buttons == [[Button("Ja", "yes"), Button("Nee", "no")]]
    assert [m.from_bot for m in state.messages(42)] == [False, True]


async def test_edits_are_counted_and_keyboard_dropped_unless_repeated(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    sent = await bot.send_message(42, "Kies", reply_markup=keyboard(("Ja", "yes")))
    await bot.edit_message_text("Gekozen: ja", chat_id=42, message_id=sent.message_id)
    after_text = state.last_bot_message(42)
    assert (after_text.text, after_text.buttons, after_text.edits) == (
        "Gekozen: ja",
        [],
        1,
    )

    await bot.edit_message_reply_markup(
        chat_id=42, message_id=sent.message_id, reply_markup=keyboard(("Terug", "back"))
    )
    after_markup = state.last_bot_message(42)
    assert after_markup.buttons == [[Button("Terug", "back")]]
    assert after_markup.edited and after_markup.edits == 2


async def test_identical_edit_is_not_modified(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    sent = await bot.send_message(42, "Kies", reply_markup=keyboard(("Ja", "yes")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Kies",
            chat_id=42,
            message_id=sent.message_id,
            reply_markup=keyboard(("Ja", "yes")),
        )


@pytest.mark.parametrize(
    ("text", "markup", "error"),
    [
        ("x" * 4097, None, "message is too long"),
        ("   ", None, "message text is empty"),
        ("ok", keyboard(("Ja", "y" * 65)), "BUTTON_DATA_INVALID"),
    ],
)
async def test_telegram_rejects_what_it_would_reject(
    bot: Bot,
    state: EmulatorState,
    text: str,
    markup: InlineKeyboardMarkup | None,
    error: str,
) -> None:
    state.user_sends(42, "hallo")
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_message(42, text, reply_markup=markup)
    assert state.bot_messages(42) == []


async def test_unknown_chat_and_unknown_message(bot: Bot, state: EmulatorState) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(99, "hallo")
    state.user_sends(42, "hallo")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=77)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=42, message_id=1)


async def test_chat_action_is_accepted(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    assert await bot.send_chat_action(42, "typing") is True
