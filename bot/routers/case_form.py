"""Answering a step's questions: button presses (one typed class per action, bot/callbacks.py) and typed
answers while a form is open.

Each press becomes an engine input carrying the step it was shown on, so the engine can tell a stale
button from a current one; the handler only translates."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import (
    FormChoose,
    FormConfirm,
    FormDate,
    FormDiscard,
    FormDone,
    FormEarlier,
    FormMember,
    FormMemberToggle,
    FormPress,
    FormPupil,
    FormReopen,
    FormToggle,
    NamesCb,
    NamesChoice,
)
from bot.filters import TEXT
from bot.middlewares.replies import at_once
from bot.render.document import document_for
from bot.render.form import names_keyboard
from bot.render.minimal import step_in_app
from bot.render.presenter import Presenter
from bot.render.text import Translator
from bot.routers.replies import answer_press, send_outcome
from bot.services.actors import actor_at
from bot.services.cases import CaseService, Outcome
from bot.services.name_guard import NameGuard, Redacted
from bot.states import CaseForm
from flows import events as ev
from flows import inputs as inp
from flows.case import Case
from flows.engine import RouteEngine
from flows.route import Field
from storage.models import Member
from storage.uow import UnitOfWork

MAX_MESSAGE = 4096  # Telegram's own limit; fields have smaller ones, checked by the engine


PressInput = Callable[[Case], Awaitable[inp.Input | None]]


def _field(route_engine: RouteEngine, case: Case, data: FormPress) -> Field | None:
    route = route_engine.routes.get(case.route_id, case.route_version)
    return route.steps[data.step].field(data.field) if data.step in route.steps else None


def _option(route_engine: RouteEngine, case: Case, data: FormChoose | FormToggle) -> str | None:
    """The value of option #`data.option` of the field the button was drawn for (None: no such option)."""
    field = _field(route_engine, case, data)
    if field is None or not 0 <= data.option < len(field.options):
        return None
    return field.options[data.option].value


class _Press:
    """What every form press shares, whatever its action: the case must be one the member may see
    (else the answer of a made-up reference), the press must stand for an input (else stale), and the
    engine decides the rest against the case's current step and the member's roles."""

    def __init__(self, query: CallbackQuery, data: dict[str, Any]) -> None:
        # The handler's data from the dispatcher and middlewares (a handler with **kwargs gets all of it).
        self.query = query
        self.member: Member = data["member"]
        self.uow: UnitOfWork = data["uow"]
        self.cases: CaseService = data["cases"]
        self.presenter: Presenter = data["presenter"]
        self.t: Translator = data["t"]

    async def __call__(self, data: FormPress, given: PressInput) -> None:
        case = await self.uow.cases.get(data.ref)
        if case is None or not self.cases.may_view(self.member, case):
            # A case the member may not see is answered exactly as a made-up reference, whatever the
            # rest of the button says: a forged press cannot confirm that a reference exists.
            await self.query.answer(self.t("access.not_found"), show_alert=True)
            return
        chosen = await given(case)
        if chosen is None:
            await self.query.answer(self.t("fallback.stale_button"), show_alert=True)
            return
        outcome = await self.cases.advance(self.member, data.ref, chosen)
        documents: list[str] = []
        opened = _opened(outcome, data.step)
        if opened is not None and outcome.case is not None and not self.presenter.minimal:
            # The next step followed at once: a step with a document shows it first, as "Oppakken" does
            # (in minimal-content mode the document is read in the Mini App's dossier instead).
            case = outcome.case
            route = self.cases.route_engine.routes.get(case.route_id, case.route_version)
            documents = document_for(self.t, route, case, opened, actor_at(self.member, case.school_id))
        await _answer_press(self.query, self.presenter, outcome, data, self.member.id, documents)


def build_router() -> Router:
    router = Router(name="case_form")

    # One handler per button class (bot/callbacks.py); each says which engine input its press stands for.
    @router.callback_query(FormChoose.filter())
    async def choose(
        query: CallbackQuery, callback_data: FormChoose, route_engine: RouteEngine, **deps: Any
    ) -> None:
        async def given(case: Case) -> inp.Input | None:
            value = _option(route_engine, case, callback_data)
            return None if value is None else inp.Choose(callback_data.step, callback_data.field, value)

        await _Press(query, deps)(callback_data, given)

    @router.callback_query(FormToggle.filter())
    async def toggle(
        query: CallbackQuery, callback_data: FormToggle, route_engine: RouteEngine, **deps: Any
    ) -> None:
        async def given(case: Case) -> inp.Input | None:
            value = _option(route_engine, case, callback_data)
            return None if value is None else inp.Toggle(callback_data.step, callback_data.field, value)

        await _Press(query, deps)(callback_data, given)

    @router.callback_query(FormDone.filter())
    async def done(query: CallbackQuery, callback_data: FormDone, **deps: Any) -> None:
        async def given(case: Case) -> inp.Input | None:
            return inp.Done(callback_data.step, callback_data.field)

        await _Press(query, deps)(callback_data, given)

    @router.callback_query(FormDate.filter())
    async def set_date(query: CallbackQuery, callback_data: FormDate, **deps: Any) -> None:
        async def given(case: Case) -> inp.Input | None:
            try:
                day = datetime.strptime(callback_data.day, "%Y%m%d").date()
            except ValueError:
                return None
            return inp.SetValue(callback_data.step, callback_data.field, day.isoformat())

        await _Press(query, deps)(callback_data, given)

    @router.callback_query(FormEarlier.filter())
    async def earlier(query: CallbackQuery, t: Translator) -> None:
        # Nothing to record yet: the typed day comes back as an answer to the same pending field.
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(t("form.type_earlier_date"))

    @router.callback_query(FormPupil.filter())
    async def pick_pupil(query: CallbackQuery, callback_data: FormPupil, **deps: Any) -> None:
        press = _Press(query, deps)

        async def given(case: Case) -> inp.Input | None:
            # One of this member's own recent pupils at the case's school, or nothing.
            pupil = await press.uow.cases.pupil(case.school_id, press.member.id, callback_data.pupil)
            if pupil is None:
                return None
            label = {"id": pupil.id, "label": pupil.label, "number": pupil.number}
            return inp.SetValue(callback_data.step, callback_data.field, label)

        await press(callback_data, given)

    @router.callback_query(FormMember.filter())
    @router.callback_query(FormMemberToggle.filter())
    async def pick_member(
        query: CallbackQuery,
        callback_data: FormMember | FormMemberToggle,
        route_engine: RouteEngine,
        **deps: Any,
    ) -> None:
        press = _Press(query, deps)

        async def given(case: Case) -> inp.Input | None:
            # Only a holder of the field's roles at the case's school, whatever the button says.
            field = _field(route_engine, case, callback_data)
            if field is None or field.kind != "member":
                return None
            route = route_engine.routes.get(case.route_id, case.route_version)
            offered = await press.uow.members.with_roles(case.school_id, sorted(route.expand(field.roles)))
            if callback_data.member not in {m.id for m in offered}:
                return None
            pick = inp.Choose if isinstance(callback_data, FormMember) else inp.Toggle
            return pick(callback_data.step, callback_data.field, str(callback_data.member))

        await press(callback_data, given)

    @router.callback_query(FormConfirm.filter())
    async def confirm(query: CallbackQuery, callback_data: FormConfirm, **deps: Any) -> None:
        async def given(case: Case) -> inp.Input | None:
            return inp.Confirm(callback_data.step)

        await _Press(query, deps)(callback_data, given)

    @router.callback_query(FormReopen.filter())
    async def reopen(query: CallbackQuery, callback_data: FormReopen, **deps: Any) -> None:
        async def given(case: Case) -> inp.Input | None:
            return inp.Reopen(callback_data.step, callback_data.field)

        await _Press(query, deps)(callback_data, given)

    @router.callback_query(FormDiscard.filter())
    async def discard(query: CallbackQuery, callback_data: FormDiscard, **deps: Any) -> None:
        async def given(case: Case) -> inp.Input | None:
            return inp.Discard()

        await _Press(query, deps)(callback_data, given)

    @router.message(StateFilter(CaseForm.open, CaseForm.names), TEXT)
    async def typed(
        message: Message,
        member: Member,
        state: FSMContext,
        cases: CaseService,
        presenter: Presenter,
        name_guard: NameGuard,
        t: Translator,
    ) -> None:
        ref = str((await state.get_data()).get("ref", ""))
        text = (message.text or "")[:MAX_MESSAGE]
        case, field = await cases.awaited(member, ref)
        draft = case.drafts.get(member.id) if case is not None else None
        if presenter.app_url is not None and case is not None and draft is not None:
            # Minimal-content chat: answers are given in the Mini App, never typed into the chat history;
            # what was typed is not used, and the step's form is offered where it belongs.
            title = presenter.step_title(case, draft.step)
            pointer, keyboard = step_in_app(t, case, draft.step, title, presenter.app_url)
            await message.answer(t("form.typed_in_app") + "\n" + pointer, reply_markup=keyboard)
            return
        if field is not None and field.kind == "text":
            found = await _guarded(message, name_guard, t, text)
            if found is not None:
                # The original is dropped here: only the text with placeholders is kept, to use or not.
                await state.set_state(CaseForm.names)
                await state.update_data(redacted=found.text)
                await message.answer(t("names.found", text=found.text), reply_markup=names_keyboard(t, ref))
                return
        await state.set_state(CaseForm.open)
        outcome = await cases.advance(member, ref, inp.Answer(text), loaded=case)
        await send_outcome(message, presenter, outcome)

    @router.callback_query(NamesCb.filter())
    async def names_chosen(
        query: CallbackQuery,
        callback_data: NamesCb,
        member: Member,
        state: FSMContext,
        raw_state: str | None,
        cases: CaseService,
        presenter: Presenter,
        t: Translator,
    ) -> None:
        data = await state.get_data()
        if raw_state != CaseForm.names.state or data.get("ref") != callback_data.ref:
            await query.answer(t("fallback.stale_button"), show_alert=True)
            return
        await state.set_state(CaseForm.open)
        await state.update_data(redacted=None)
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
        if callback_data.choice is NamesChoice.REWRITE:
            await query.answer()
            if isinstance(query.message, Message):
                await query.message.answer(t("names.rewrite"))
            return
        outcome = await cases.advance(member, callback_data.ref, inp.Answer(str(data.get("redacted") or "")))
        if await answer_press(query, presenter, outcome) and isinstance(query.message, Message):
            for text, keyboard in await presenter.render(outcome.case, outcome.events, outcome.told):
                await query.message.answer(text, reply_markup=keyboard)

    return router


async def _guarded(message: Message, name_guard: NameGuard, t: Translator, text: str) -> Redacted | None:
    """The name guard's finding in `text`. While the guard is still loading (the first minute after a
    start), the member is told at once that their answer waits, rather than it going through unchecked."""
    if not name_guard.ready:
        with contextlib.suppress(TelegramAPIError), at_once():
            await message.answer(t("names.wait"))
    return await name_guard.check(text)


def _opened(outcome: Outcome, step: str) -> str | None:
    """The step the engine opened for the actor after `step` ended (its first question follows)."""
    return next((e.step for e in outcome.events if isinstance(e, ev.Prompt) and e.step != step), None)


async def _answer_press(
    query: CallbackQuery,
    presenter: Presenter,
    outcome: Outcome,
    data: FormPress,
    member_id: int,
    documents: list[str],
) -> None:
    if not await answer_press(query, presenter, outcome) or not isinstance(query.message, Message):
        return
    if isinstance(data, FormDiscard) or outcome.case is None:
        await query.message.edit_reply_markup(reply_markup=None)  # dropped: no second press on it
        for text, keyboard in await presenter.render(outcome.case, outcome.events, outcome.told):
            await query.message.answer(text, reply_markup=keyboard)
        return
    # The pressed message keeps what was answered (and goes on with the step's next question); the
    # edit and what follows are held until the change is committed, so its buttons go only with them.
    (text, keyboard), rest = await presenter.after_press(
        outcome.case, member_id, data.step, outcome.events, outcome.told
    )
    await query.message.edit_text(text, reply_markup=keyboard)
    for text, keyboard in rest[:-1]:
        await query.message.answer(text, reply_markup=keyboard)
    for part in documents:  # before the next step's first question (the last message)
        await query.message.answer(part)
    for text, keyboard in rest[-1:]:
        await query.message.answer(text, reply_markup=keyboard)
