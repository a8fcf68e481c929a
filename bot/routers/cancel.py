"""/annuleer (alias /cancel): leave whatever conversation is open."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.conversation import clear_conversation
from bot.render.text import Translator
from bot.services.cases import CaseService
from storage.models import Member


def build_router() -> Router:
    router = Router(name="cancel")
    router.message.filter(F.chat.type == "private")

    @router.message(Command("annuleer", "cancel", "stop"))
    async def cancel(message: Message, member: Member, cases: CaseService, t: Translator) -> None:
        # A case form is left through the engine, so a teacher's unconfirmed signal is dropped.
        left = await cases.discard_open_form(member)
        previous = clear_conversation(member)
        await message.answer(t("cancel.done") if left or previous else t("cancel.nothing"))

    return router
