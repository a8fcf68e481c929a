"""Sending what the presenter rendered, the same way from every case router."""

from __future__ import annotations

from aiogram.types import Message

from bot.render.presenter import Presenter
from bot.services.cases import Outcome


async def send_outcome(message: Message, presenter: Presenter, outcome: Outcome) -> None:
    for text, keyboard in await presenter.render(outcome.case, outcome.events):
        await message.answer(text, reply_markup=keyboard)
