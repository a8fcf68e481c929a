"""/route: the picture of the member's school's route (the routekaart), as files so it stays sharp: a PNG
that every Telegram client previews, and the SVG to zoom into in a browser."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n

from bot.callbacks import RoutekaartCb
from bot.filters import PRIVATE
from bot.render.routekaart import RoutekaartUnavailable
from bot.render.text import Translator
from bot.services.routekaart import school_routekaart, schools_of_member
from flows.engine import RouteEngine
from storage.models import Member, School
from storage.uow import UnitOfWork


async def _send(
    message: Message, school: School, route_engine: RouteEngine, i18n: I18n, t: Translator
) -> None:
    try:
        drawn = await school_routekaart(route_engine.routes, i18n, school, t.locale)
    except RoutekaartUnavailable:
        await message.answer(t("routekaart.unavailable"))
        return
    await message.answer_document(
        # A document, not a photo: Telegram would shrink a photo until the step names are unreadable.
        BufferedInputFile(drawn.png, filename=drawn.filename),
        caption=t("routekaart.caption", route=drawn.route_name, school=school.name),
    )
    await message.answer_document(
        BufferedInputFile(drawn.svg, filename=drawn.svg_filename), caption=t("routekaart.svg_caption")
    )


def build_router() -> Router:
    router = Router(name="routekaart")
    router.message.filter(PRIVATE)

    @router.message(Command("route", "routekaart"))
    async def show(
        message: Message,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        i18n: I18n,
        t: Translator,
    ) -> None:
        schools = await schools_of_member(uow, member)
        if len(schools) == 1:
            await _send(message, schools[0], route_engine, i18n, t)
            return
        rows = [
            [InlineKeyboardButton(text=s.name, callback_data=RoutekaartCb(school=s.id).pack())]
            for s in schools
        ]
        picker = InlineKeyboardMarkup(inline_keyboard=rows)
        await message.answer(t("routekaart.pick_school"), reply_markup=picker)

    @router.callback_query(RoutekaartCb.filter())
    async def picked(
        query: CallbackQuery,
        callback_data: RoutekaartCb,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        i18n: I18n,
        t: Translator,
    ) -> None:
        school = next((s for s in await schools_of_member(uow, member) if s.id == callback_data.school), None)
        if school is None or not isinstance(query.message, Message):
            await query.answer(t("access.not_found"), show_alert=True)
            return
        await query.answer()
        await _send(query.message, school, route_engine, i18n, t)

    return router
