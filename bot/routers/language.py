"""/taal: choose Dutch or English; stored on the member so it survives restarts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n

from bot.filters import PRIVATE
from bot.i18n import LANGUAGES, N_
from bot.render.text import Translator
from storage.models import Member

LANGUAGE_SET = N_("lang.set")  # said in the language just chosen, not the update's


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


def build_router() -> Router:
    router = Router(name="language")
    router.message.filter(PRIVATE)

    @router.message(Command("taal", "language"))
    async def choose(message: Message, t: Translator) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=t("lang.name_nl"), callback_data=LanguageChoice(code="nl").pack()
                    ),
                    InlineKeyboardButton(
                        text=t("lang.name_en"), callback_data=LanguageChoice(code="en").pack()
                    ),
                ]
            ]
        )
        await message.answer(t("lang.choose"), reply_markup=keyboard)

    @router.callback_query(LanguageChoice.filter(F.code.in_(LANGUAGES)))
    async def chosen(query: CallbackQuery, callback_data: LanguageChoice, member: Member, i18n: I18n) -> None:
        member.language = callback_data.code
        text = Translator(i18n, callback_data.code)(LANGUAGE_SET)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)  # the choice is made
            await query.message.answer(text)

    return router
