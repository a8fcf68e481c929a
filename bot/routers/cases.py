"""Looking at cases: /zaak <ref>, /mijn, /signalen, /lijst, and the buttons that open a case,
start work on its step, or take a case action. Every read and press goes through the access policy."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import ActionCb, ActionConfirmCb, ActionDropCb, CaseCb, CasePageCb, OpenCb
from bot.filters import PRIVATE
from bot.i18n import N_, role_names
from bot.render.case_view import case_button, render_case
from bot.render.document import document_for
from bot.render.minimal import minimal_case, with_open_app
from bot.render.presenter import Presenter
from bot.render.text import Translator
from bot.routers.replies import answer_press, send_outcome
from bot.services.actors import actor_at
from bot.services.cases import CaseService, Outcome
from bot.services.reads import CaseReader, Seen, case_context
from bot.settings import Settings
from flows import inputs as inp
from flows.engine import RouteEngine
from storage.models import Member
from storage.uow import UnitOfWork

LIST_LIMIT = 30  # buttons per list message; more is unreadable on a phone


async def _show(
    target: Message,
    reader: CaseReader,
    uow: UnitOfWork,
    member: Member,
    ref: str,
    t: Translator,
    settings: Settings,
    page: CasePageCb | None = None,
) -> None:
    seen = await reader.one(member, ref)
    if isinstance(seen, str):
        await target.answer(t(seen))
        return
    context = await case_context(uow, seen.case)
    part, number = (page.part, page.page) if page is not None else ("c", 0)
    text, keyboard = render_case(t, seen.route, seen.case, seen.actor, context, part, number)
    if settings.minimal_chat:  # the dossier is in the Mini App; the chat says only which case it is
        school = await uow.schools.get(seen.case.school_id)
        text = minimal_case(t, seen.route, seen.case, school.name if school else "")
        keyboard = with_open_app(t, keyboard, settings.mini_app_url, seen.case.ref)
    await target.answer(text, reply_markup=keyboard)


async def _list(message: Message, items: list[Seen], t: Translator, title: str, empty: str) -> None:
    if not items:
        await message.answer(t(empty))
        return
    rows = [[case_button(s.case, t, s.route)] for s in items[:LIST_LIMIT]]
    more = t(N_("list.more"), n=len(items) - LIST_LIMIT) if len(items) > LIST_LIMIT else ""
    await message.answer(
        t(title, n=len(items)) + more, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


def build_router() -> Router:
    router = Router(name="cases")
    router.message.filter(PRIVATE)

    @router.message(Command("zaak", "case"))
    async def show(
        message: Message,
        command: CommandObject,
        member: Member,
        reader: CaseReader,
        uow: UnitOfWork,
        t: Translator,
        settings: Settings,
    ) -> None:
        if not command.args:
            await message.answer(t("case.usage"))
            return
        await _show(message, reader, uow, member, command.args, t, settings)

    @router.message(Command("mijn", "mine"))
    async def mine(message: Message, member: Member, reader: CaseReader, t: Translator) -> None:
        waiting, signals = await reader.mine(member)
        await _list(message, waiting, t, N_("list.mine"), N_("list.mine_empty"))
        if signals:  # and how the signals they made are doing (the teacher's own status view)
            await _list(message, signals, t, N_("list.my_signals"), N_("list.my_signals"))

    @router.message(Command("signalen", "signals"))
    async def signals(message: Message, member: Member, reader: CaseReader, t: Translator) -> None:
        await _list(message, await reader.visible(member), t, N_("list.signals"), N_("list.signals_empty"))

    @router.message(Command("lijst", "list"))
    async def vot_list(message: Message, member: Member, reader: CaseReader, t: Translator) -> None:
        await _list(message, await reader.vot_list(member), t, N_("list.vot"), N_("list.vot_empty"))

    @router.callback_query(CaseCb.filter())
    async def open_case(
        query: CallbackQuery,
        callback_data: CaseCb,
        member: Member,
        reader: CaseReader,
        uow: UnitOfWork,
        t: Translator,
        settings: Settings,
    ) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await _show(query.message, reader, uow, member, callback_data.ref, t, settings)

    @router.callback_query(CasePageCb.filter())
    async def case_page(
        query: CallbackQuery,
        callback_data: CasePageCb,
        member: Member,
        reader: CaseReader,
        uow: UnitOfWork,
        t: Translator,
        settings: Settings,
    ) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await _show(query.message, reader, uow, member, callback_data.ref, t, settings, callback_data)

    @router.callback_query(OpenCb.filter())
    async def work_on(
        query: CallbackQuery,
        callback_data: OpenCb,
        member: Member,
        cases: CaseService,
        presenter: Presenter,
        route_engine: RouteEngine,
        t: Translator,
        settings: Settings,
    ) -> None:
        outcome = await cases.advance(member, callback_data.ref, inp.Open(callback_data.step))
        # A step that receives a document (Rotterdam: the toeleidingsdocument) shows it before its questions;
        # in minimal-content mode the document is read in the Mini App's dossier instead.
        shown = not outcome.refused and outcome.case is not None and not settings.minimal_chat
        if shown and outcome.case is not None and isinstance(query.message, Message):
            route = route_engine.routes.get(outcome.case.route_id, outcome.case.route_version)
            actor = actor_at(member, outcome.case.school_id)
            for part in document_for(t, route, outcome.case, callback_data.step, actor):
                await query.message.answer(part)
        await _act(query, presenter, outcome)

    @router.callback_query(ActionCb.filter())
    async def action(
        query: CallbackQuery,
        callback_data: ActionCb,
        member: Member,
        cases: CaseService,
        presenter: Presenter,
        t: Translator,
    ) -> None:
        alerts = await cases.alerts(member, callback_data.ref, callback_data.action, callback_data.step)
        if alerts and isinstance(query.message, Message):
            # It alerts others: asked first, and nothing changes until the yes.
            await query.answer()
            sure = t("action.confirm", who=role_names(t, alerts))
            await query.message.answer(sure, reply_markup=_confirm_keyboard(t, callback_data))
            return
        given = inp.DoAction(callback_data.action, callback_data.step)
        await _act(query, presenter, await cases.advance(member, callback_data.ref, given))

    @router.callback_query(ActionConfirmCb.filter())
    async def action_confirmed(
        query: CallbackQuery,
        callback_data: ActionConfirmCb,
        member: Member,
        cases: CaseService,
        presenter: Presenter,
    ) -> None:
        given = inp.DoAction(callback_data.action, callback_data.step)
        outcome = await cases.advance(member, callback_data.ref, given)
        if not outcome.refused and isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)  # answered: no second yes
        await _act(query, presenter, outcome)

    @router.callback_query(ActionDropCb.filter())
    async def action_dropped(query: CallbackQuery, t: Translator) -> None:
        await query.answer(t("action.dropped"))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)

    return router


async def _act(query: CallbackQuery, presenter: Presenter, outcome: Outcome) -> None:
    if await answer_press(query, presenter, outcome) and isinstance(query.message, Message):
        await send_outcome(query.message, presenter, outcome)


def _confirm_keyboard(t: Translator, asked: ActionCb) -> InlineKeyboardMarkup:
    yes = ActionConfirmCb(ref=asked.ref, step=asked.step, action=asked.action)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t("action.confirm_yes"), callback_data=yes.pack()),
                InlineKeyboardButton(
                    text=t("action.confirm_no"), callback_data=ActionDropCb(ref=asked.ref).pack()
                ),
            ]
        ]
    )
