"""Sending what the presenter rendered, the same way from every case router."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.render.presenter import Presenter
from bot.services.cases import Outcome

ALERT_LIMIT = 200  # Telegram refuses longer answers to a button press


async def send_outcome(message: Message, presenter: Presenter, outcome: Outcome) -> None:
    for text, keyboard in await presenter.render(outcome.case, outcome.events, outcome.told):
        await message.answer(text, reply_markup=keyboard)


async def answer_press(query: CallbackQuery, presenter: Presenter, outcome: Outcome) -> bool:
    """Answer the press. A refusal becomes a short alert and the message stays as it was (nothing
    changed); returns whether the press went through."""
    if outcome.refused:
        rendered = await presenter.render(outcome.case, outcome.events)
        await query.answer((rendered[0][0] if rendered else "")[:ALERT_LIMIT], show_alert=True)
        return False
    await query.answer()
    return True
