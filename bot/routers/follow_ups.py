"""/agenda (my open follow-ups) and "2 dagen uitstellen" on a reminder."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import SnoozeCb
from bot.filters import PRIVATE
from bot.follow_ups.agenda import AgendaItem, agenda_for
from bot.follow_ups.snooze import snooze
from bot.i18n import N_
from bot.render.case_view import case_button
from bot.render.text import Translator
from bot.services.audit import AuditTrail
from flows.clock import Clock
from flows.engine import RouteEngine
from storage.models import Member
from storage.uow import UnitOfWork

AGENDA_LIMIT = 30


def _line(t: Translator, item: AgendaItem) -> str:
    pupil = item.case.pupil.label if item.case.pupil else "—"
    msgid = N_("agenda.overdue") if item.follow_up.overdue else N_("agenda.item")
    return t(
        msgid,
        when=t.datetime(item.follow_up.due_at),
        ref=item.case.ref,
        pupil=pupil,
        step=item.route.step(item.follow_up.step).title,
        what=item.what,
    )


def build_router() -> Router:
    router = Router(name="follow_ups")
    router.message.filter(PRIVATE)

    @router.message(Command("agenda"))
    async def agenda(
        message: Message,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        t: Translator,
        audit: AuditTrail,
    ) -> None:
        items = await agenda_for(uow, route_engine, member)
        if not items:
            await message.answer(t("agenda.empty"))
            return
        lines = [t("agenda.title", n=len(items)), *(_line(t, i) for i in items[:AGENDA_LIMIT])]
        cases = {i.case.ref: i for i in items[:AGENDA_LIMIT]}
        for shown in cases.values():  # refs, pupil labels and steps: a read like any list of cases
            await audit.case("list", shown.case, member.id)
        rows = [[case_button(i.case, t, i.route)] for i in cases.values()]
        await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))

    @router.callback_query(SnoozeCb.filter())
    async def put_off(
        query: CallbackQuery,
        callback_data: SnoozeCb,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        clock: Clock,
        t: Translator,
    ) -> None:
        data = callback_data
        until = await snooze(uow, route_engine, member, data.ref, data.step, data.follow_up, clock.now())
        if not isinstance(until, datetime):
            await query.answer(t(until), show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(t("followup.snoozed", ref=data.ref, when=t.datetime(until)))

    return router
