"""A stand-in bot for the page tests, until the real one is wired to the emulator.

It exercises what the page must draw, not any route: an HTML reply with an inline keyboard, an edit
that removes the keyboard, a toast answering the press, and a notification in another member's chat.
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message


class Step(CallbackData, prefix="demo"):
    action: str
    case: int = 0


def _keyboard(*buttons: tuple[str, Step]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack())] for text, data in buttons
        ]
    )


def demo_router() -> Router:
    """`notify_user_id` (dispatcher data) is the member who hears about a signal."""
    router = Router(name="demo")

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        name = html.escape(message.from_user.first_name if message.from_user else "")
        await message.answer(
            f"<b>Welkom</b>, {name}.\nWat wil je doen?",
            reply_markup=_keyboard(
                ("Meld signaal", Step(action="signal", case=1)), ("Later", Step(action="later"))
            ),
        )

    @router.callback_query(Step.filter(F.action == "signal"))
    async def signal(query: CallbackQuery, callback_data: Step, bot: Bot, notify_user_id: int) -> None:
        name = html.escape(query.from_user.first_name)
        if isinstance(query.message, Message):
            await query.message.edit_text(f"<b>Signaal Z-{callback_data.case:04d}</b> gemeld door {name}.")
        await query.answer("Signaal verstuurd")
        await bot.send_message(
            notify_user_id,
            f"🔔 Nieuw signaal <b>Z-{callback_data.case:04d}</b> van {name}.",
            reply_markup=_keyboard(("Oppakken", Step(action="take", case=callback_data.case))),
        )

    @router.callback_query(Step.filter(F.action == "take"))
    async def take(query: CallbackQuery) -> None:
        await query.answer("Je bent nu regiehouder")

    @router.callback_query(Step.filter())
    async def other(query: CallbackQuery) -> None:
        await query.answer()  # Telegram shows nothing; the page must not either

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"Ontvangen: {html.escape(message.text or '')}")

    return router


async def send_reminders(bot: Bot, user_ids: list[int], text: str) -> dict[str, Any]:
    """What a clock handler does once time moved: send what fell due, say how many."""
    for user_id in user_ids:
        await bot.send_message(user_id, text)
    return {"fired": len(user_ids)}
