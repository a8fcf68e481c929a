"""Answering a step's questions: button presses (typed FormCb) and typed answers while a form is open.

Each press becomes an engine input carrying the step it was shown on, so the engine can tell a stale
button from a current one; the handler only translates."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.callbacks import FormCb
from bot.conversation import InConversation, get_conversation
from bot.render.presenter import Presenter
from bot.render.text import Translator
from bot.routers.replies import answer_press, send_outcome
from bot.services.cases import CONVERSATION, CaseService, Outcome
from flows import inputs as inp
from flows.case import Case
from flows.engine import RouteEngine
from storage.models import Member
from storage.uow import UnitOfWork

MAX_MESSAGE = 4096  # Telegram's own limit; fields have smaller ones, checked by the engine


async def _to_input(
    data: FormCb, case: Case, member: Member, uow: UnitOfWork, route_engine: RouteEngine
) -> inp.Input | None:
    """The engine input a press stands for, or None when the data cannot be one (forged/outdated)."""
    if data.op == "ok":
        return inp.Confirm(data.step)
    if data.op == "x":
        return inp.Discard()
    if data.op == "d":
        return inp.Done(data.step, data.field)
    route = route_engine.routes.get(case.route_id, case.route_version)
    field = route.steps[data.step].field(data.field) if data.step in route.steps else None
    if field is None:
        return None
    if data.op in ("c", "t"):
        if not data.v.isdigit() or int(data.v) >= len(field.options):
            return None
        value = field.options[int(data.v)].value
        return (
            inp.Choose(data.step, data.field, value)
            if data.op == "c"
            else inp.Toggle(data.step, data.field, value)
        )
    if data.op == "v":
        try:
            day = datetime.strptime(data.v, "%Y%m%d").date()
        except ValueError:
            return None
        return inp.SetValue(data.step, data.field, day.isoformat())
    if data.op in ("m", "n") and data.v.isdigit() and field.kind == "member":
        # Only a holder of the field's roles at the case's school can be picked, whatever the button says.
        offered = await uow.members.with_roles(case.school_id, sorted(route.expand(field.roles)))
        if int(data.v) not in {m.id for m in offered}:
            return None
        pick = inp.Choose if data.op == "m" else inp.Toggle
        return pick(data.step, data.field, data.v)
    if data.op == "p" and data.v.isdigit():
        pupil = await uow.cases.pupil(case.school_id, member.id, int(data.v))
        if pupil is None:
            return None
        return inp.SetValue(
            data.step, data.field, {"id": pupil.id, "label": pupil.label, "number": pupil.number}
        )
    return None


def build_router() -> Router:
    router = Router(name="case_form")

    @router.callback_query(FormCb.filter())
    async def pressed(
        query: CallbackQuery,
        callback_data: FormCb,
        member: Member,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        cases: CaseService,
        presenter: Presenter,
        t: Translator,
    ) -> None:
        case = await uow.cases.get(callback_data.ref)
        if case is None or not cases.may_view(member, case):
            # A case the member may not see is answered exactly as a made-up reference, whatever the
            # rest of the button says: a forged press cannot confirm that a reference exists.
            await query.answer(t("access.not_found"), show_alert=True)
            return
        given = await _to_input(callback_data, case, member, uow, route_engine)
        if given is None:
            await query.answer(t("fallback.stale_button"), show_alert=True)
            return
        outcome = await cases.advance(member, callback_data.ref, given)
        await _answer_press(query, presenter, outcome, toggled=isinstance(given, inp.Toggle))

    @router.message(InConversation(CONVERSATION), F.text)
    async def typed(message: Message, member: Member, cases: CaseService, presenter: Presenter) -> None:
        current = get_conversation(member)
        ref = str(current.data.get("ref", "")) if current else ""
        text = (message.text or "")[:MAX_MESSAGE]
        await send_outcome(message, presenter, await cases.advance(member, ref, inp.Answer(text)))

    return router


async def _answer_press(
    query: CallbackQuery, presenter: Presenter, outcome: Outcome, *, toggled: bool
) -> None:
    if not await answer_press(query, presenter, outcome) or not isinstance(query.message, Message):
        return
    rendered = await presenter.render(outcome.case, outcome.events)
    if toggled and rendered:
        text, keyboard = rendered[0]
        await query.message.edit_text(text, reply_markup=keyboard)
        return
    await query.message.edit_reply_markup(reply_markup=None)  # answered: no second press on it
    for text, keyboard in rendered:
        await query.message.answer(text, reply_markup=keyboard)
