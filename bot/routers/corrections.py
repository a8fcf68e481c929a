"""Correcting an answer after confirming (issue 15): from /zaak, the member who submitted a step adds a
correction to one of its answers. The engine appends it beside the answer and on the timeline
(`inp.Correct`, `policy.can_correct`); these handlers only ask which field and what value."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import CorrectCb, CorrectFieldCb, CorrectOptionCb
from bot.filters import PRIVATE, TEXT
from bot.render.case_view import (
    CORRECTABLE,
    correctable_steps,
    field_label,
    render_correct_fields,
    render_correct_options,
    render_correct_steps,
)
from bot.render.presenter import Presenter
from bot.render.text import Translator
from bot.routers.replies import answer_press, send_outcome
from bot.services.cases import CaseService
from bot.services.name_guard import NameGuard
from bot.services.reads import CaseReader, Seen
from bot.states import Correction
from flows import inputs as inp
from flows.route import Field
from storage.models import Member

MAX_MESSAGE = 4096


async def _own_field(
    query: CallbackQuery,
    reader: CaseReader,
    member: Member,
    t: Translator,
    ref: str,
    step: str,
    field: str = "",
) -> tuple[Seen, Field | None] | None:
    """The case and field if `member` may still correct `step` of it; else answer the press as stale."""
    seen = await reader.one(member, ref)
    if isinstance(seen, str) or step not in correctable_steps(seen.route, seen.case, seen.actor):
        await query.answer(
            t("fallback.stale_button") if not isinstance(seen, str) else t(seen), show_alert=True
        )
        return None
    found = seen.route.step(step).field(field) if field else None
    if field and (found is None or found.kind not in CORRECTABLE):
        await query.answer(t("fallback.stale_button"), show_alert=True)
        return None
    return seen, found


def build_router() -> Router:
    router = Router(name="corrections")
    router.message.filter(PRIVATE)

    @router.callback_query(CorrectCb.filter())
    async def which_field(
        query: CallbackQuery, callback_data: CorrectCb, member: Member, reader: CaseReader, t: Translator
    ) -> None:
        if not callback_data.step:  # several own steps: which one first
            seen = await reader.one(member, callback_data.ref)
            steps = [] if isinstance(seen, str) else correctable_steps(seen.route, seen.case, seen.actor)
            if isinstance(seen, str) or not steps or not isinstance(query.message, Message):
                await query.answer(t("fallback.stale_button"), show_alert=True)
                return
            await query.answer()
            text, keyboard = render_correct_steps(t, seen.route, seen.case, steps)
            await query.message.answer(text, reply_markup=keyboard)
            return
        own = await _own_field(query, reader, member, t, callback_data.ref, callback_data.step)
        if own is not None and isinstance(query.message, Message):
            await query.answer()
            text, keyboard = render_correct_fields(t, own[0].route, own[0].case, callback_data.step)
            await query.message.answer(text, reply_markup=keyboard)

    @router.callback_query(CorrectFieldCb.filter())
    async def which_value(
        query: CallbackQuery,
        callback_data: CorrectFieldCb,
        member: Member,
        reader: CaseReader,
        state: FSMContext,
        t: Translator,
    ) -> None:
        cb = callback_data
        own = await _own_field(query, reader, member, t, cb.ref, cb.step, cb.field)
        if own is None or own[1] is None or not isinstance(query.message, Message):
            return
        await query.answer()
        seen, field = own[0], own[1]
        if field.kind == "choice":
            text, keyboard = render_correct_options(t, seen.route, seen.case, cb.step, field)
            await query.message.answer(text, reply_markup=keyboard)
            return
        await state.set_state(Correction.typing)
        await state.update_data(ref=cb.ref, step=cb.step, field=cb.field)
        await query.message.answer(t("correct.type", field=field_label(t, field)))

    @router.callback_query(CorrectOptionCb.filter())
    async def option(
        query: CallbackQuery,
        callback_data: CorrectOptionCb,
        member: Member,
        reader: CaseReader,
        cases: CaseService,
        presenter: Presenter,
        t: Translator,
    ) -> None:
        cb = callback_data
        own = await _own_field(query, reader, member, t, cb.ref, cb.step, cb.field)
        if own is None or own[1] is None:
            return
        options = own[1].options
        if not 0 <= cb.option < len(options):
            await query.answer(t("fallback.stale_button"), show_alert=True)
            return
        outcome = await cases.advance(
            member, cb.ref, inp.Correct(cb.step, cb.field, options[cb.option].value)
        )
        if await answer_press(query, presenter, outcome) and isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await send_outcome(query.message, presenter, outcome)

    @router.message(StateFilter(Correction.typing), TEXT)
    async def typed(
        message: Message,
        member: Member,
        state: FSMContext,
        cases: CaseService,
        presenter: Presenter,
        name_guard: NameGuard,
        t: Translator,
    ) -> None:
        data = await state.get_data()
        ref, step, field = str(data.get("ref", "")), str(data.get("step", "")), str(data.get("field", ""))
        text = (message.text or "")[:MAX_MESSAGE]
        found = await name_guard.check(text)
        if found is not None:  # nothing is kept: the member types the correction again, without names
            await message.answer(t("correct.names_found", text=found.text))
            return
        outcome = await cases.advance(member, ref, inp.Correct(step, field, text))
        if not outcome.refused:
            await state.clear()
        await send_outcome(message, presenter, outcome)

    return router
