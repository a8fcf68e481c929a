"""/signaal: a teacher starts a signal about a pupil (the route's start step, asked as a form). Who may: the
school's route's `start.roles` (bot/services/school_routes.starting_schools)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, WebAppInfo

from bot.callbacks import SchoolCb
from bot.filters import PRIVATE
from bot.render.presenter import Presenter
from bot.render.text import Translator
from bot.routers.replies import send_outcome
from bot.services.cases import CaseService
from bot.services.school_routes import starting_schools
from flows.engine import RouteEngine
from storage.models import Member
from storage.uow import UnitOfWork


def build_router() -> Router:
    router = Router(name="signal")
    router.message.filter(PRIVATE)

    @router.message(Command("signaal", "signal"))
    async def start(
        message: Message,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        cases: CaseService,
        presenter: Presenter,
        t: Translator,
    ) -> None:
        schools = await starting_schools(member, uow, route_engine)
        app_url = presenter.app_url  # set only in minimal-content mode with a Mini App address
        if not schools:
            await message.answer(t("access.wrong_role"))
        elif app_url is not None:
            # Minimal-content chat: the signal's answers belong in the Mini App, not in the chat.
            await message.answer(t("signal.where"), reply_markup=_where(t, app_url))
        elif len(schools) == 1:
            school_id, _, route_id = schools[0]
            await send_outcome(message, presenter, await cases.start(member, school_id, route_id))
        else:
            rows = [
                [InlineKeyboardButton(text=name, callback_data=SchoolCb(school=sid).pack())]
                for sid, name, _ in schools
            ]
            await message.answer(
                t("signal.pick_school"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
            )

    @router.callback_query(SchoolCb.filter())
    async def school_picked(
        query: CallbackQuery,
        callback_data: SchoolCb,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        cases: CaseService,
        presenter: Presenter,
        t: Translator,
    ) -> None:
        allowed = {sid: route for sid, _, route in await starting_schools(member, uow, route_engine)}
        if callback_data.school not in allowed or not isinstance(query.message, Message):
            await query.answer(t("access.not_found"), show_alert=True)
            return
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=None)
        await send_outcome(
            query.message,
            presenter,
            await cases.start(member, callback_data.school, allowed[callback_data.school]),
        )

    return router


def _where(t: Translator, app_url: str) -> InlineKeyboardMarkup:
    """The Mini App's signal form (it asks which school when there is more than one)."""
    button = InlineKeyboardButton(text=t("signal.in_app"), web_app=WebAppInfo(url=f"{app_url}?to=signal"))
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
