"""/annuleer (alias /cancel): leave whatever dialogue is open (bot/states.py)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.filters import PRIVATE
from bot.render.text import Translator
from bot.services.cases import CaseService
from storage.models import Member


def build_router() -> Router:
    router = Router(name="cancel")
    router.message.filter(PRIVATE)

    @router.message(Command("annuleer", "cancel", "stop"))
    async def cancel(
        message: Message,
        member: Member,
        raw_state: str | None,
        state: FSMContext,
        cases: CaseService,
        t: Translator,
    ) -> None:
        # A case form is left through the engine, so a teacher's unconfirmed signal is dropped.
        left = await cases.discard_open_form(member)
        await state.clear()
        await message.answer(t("cancel.done") if left or raw_state else t("cancel.nothing"))

    return router
