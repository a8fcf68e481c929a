"""/taal: choose Dutch or English; stored on the member so it survives restarts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import LANGUAGES
from storage.models import Member


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


def build_router() -> Router:
    router = Router(name="language")
    router.message.filter(F.chat.type == "private")

    @router.message(Command("taal", "language"))
    async def choose(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=_("lang.name_nl"), callback_data=LanguageChoice(code="nl").pack()
                    ),
                    InlineKeyboardButton(
                        text=_("lang.name_en"), callback_data=LanguageChoice(code="en").pack()
                    ),
                ]
            ]
        )
        await message.answer(_("lang.choose"), reply_markup=keyboard)

    @router.callback_query(LanguageChoice.filter(F.code.in_(LANGUAGES)))
    async def chosen(query: CallbackQuery, callback_data: LanguageChoice, member: Member, i18n: I18n) -> None:
        member.language = callback_data.code
        with i18n.use_locale(callback_data.code):
            text = _("lang.set")
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)  # the choice is made
            await query.message.answer(text)

    return router
