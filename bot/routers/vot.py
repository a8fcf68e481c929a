"""/vot: planned VOT meetings with their answers; /vot plan: a planner (flows/policy.can_plan_vot) plans one
(date, time, duration, agenda) and every VOT member is invited on their channels. Members answer with
Ja / Nee / Misschien under the invitation. The dialogue is aiogram's FSM (bot/states.py: VotPlan, VotMove);
the rules — who plans, which dates and times count — are MeetingService's."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks_vot import (
    PLANNING,
    AgendaAllCb,
    AgendaDoneCb,
    AgendaPickCb,
    CancelMeetingCb,
    LegacyRsvpCb,
    MoveMeetingCb,
    PlanDropCb,
    PlanDurationCb,
    PlanSchoolCb,
    PlanSendCb,
    RsvpCb,
)
from bot.filters import PRIVATE, TEXT
from bot.render.meeting import ANSWER_LABELS
from bot.render.text import Translator
from bot.render.vot import (
    agenda_keyboard,
    confirm_keyboard,
    durations_keyboard,
    meetings_text,
    schools_keyboard,
)
from bot.services.meetings import DURATIONS, MeetingService
from bot.services.reads import CaseReader, Seen
from bot.states import VotMove, VotPlan
from storage.models import Member


async def _candidates(reader: CaseReader, member: Member, school_id: int) -> list[Seen]:
    """The cases on the school's VOT list that the planner may put on the agenda."""
    return [s for s in await reader.vot_list(member) if s.case.school_id == school_id]


async def _begin(state: FSMContext, message: Message, t: Translator, school_id: int) -> None:
    await state.set_state(VotPlan.date)
    await state.set_data({"school": school_id})
    await message.answer(t("vot.plan.ask_date"))


def build_router() -> Router:
    router = Router(name="vot")
    router.message.filter(PRIVATE)

    @router.message(Command("vot"))
    async def vot(
        message: Message,
        command: CommandObject,
        member: Member,
        meetings: MeetingService,
        state: FSMContext,
        t: Translator,
    ) -> None:
        planning = meetings.planning_schools(member)
        if (command.args or "").strip().lower() in ("plan", "plannen"):
            if not planning:
                await message.answer(t("vot.plan.not_allowed"))
            elif len(planning) > 1:
                picker = schools_keyboard(await meetings.school_names(planning))
                await message.answer(t("vot.plan.pick_school"), reply_markup=picker)
            else:
                await _begin(state, message, t, planning[0])
            return
        text, keyboard = meetings_text(t, await meetings.upcoming(member), bool(planning))
        await message.answer(text, reply_markup=keyboard)

    @router.message(StateFilter(VotPlan.date, VotMove.date), TEXT)
    async def got_date(
        message: Message, raw_state: str, state: FSMContext, meetings: MeetingService, t: Translator
    ) -> None:
        day = meetings.day_from(message.text or "")
        if day is None:
            await message.answer(t("vot.plan.bad_date"))
            return
        await state.update_data(date=day.isoformat())
        await state.set_state(VotMove.time if raw_state == VotMove.date.state else VotPlan.time)
        await message.answer(t("vot.plan.ask_time"))

    @router.message(StateFilter(VotPlan.time), TEXT)
    async def got_time(message: Message, state: FSMContext, meetings: MeetingService, t: Translator) -> None:
        start = meetings.start_from(date.fromisoformat((await state.get_data())["date"]), message.text or "")
        if start is None:
            await message.answer(t("vot.plan.bad_time"))
            return
        await state.update_data(start=start.isoformat())
        await state.set_state(VotPlan.duration)
        await message.answer(t("vot.plan.ask_duration"), reply_markup=durations_keyboard(t))

    @router.message(StateFilter(VotMove.time), TEXT)
    async def got_new_time(
        message: Message, member: Member, state: FSMContext, meetings: MeetingService, t: Translator
    ) -> None:
        data = await state.get_data()
        start = meetings.start_from(date.fromisoformat(data["date"]), message.text or "")
        if start is None:
            await message.answer(t("vot.plan.bad_time"))
            return
        await state.clear()
        meeting = await meetings.manageable(member, int(data["meeting"]))
        if meeting is None:
            await message.answer(t("vot.stale"))
            return
        await message.answer(t("vot.moved", n=await meetings.move(member, meeting, start)))

    @router.callback_query(or_f(RsvpCb.filter(), LegacyRsvpCb.filter(F.op == "rsvp")))
    async def rsvp(
        query: CallbackQuery,
        callback_data: RsvpCb | LegacyRsvpCb,
        member: Member,
        meetings: MeetingService,
        t: Translator,
    ) -> None:
        data = callback_data.typed() if isinstance(callback_data, LegacyRsvpCb) else callback_data
        if await meetings.respond(member, data.meeting, data.answer) is None:
            await query.answer(t("vot.stale"), show_alert=True)
            return
        await query.answer(t("vot.answer.thanks", answer=ANSWER_LABELS[data.answer]))

    @router.callback_query(or_f(MoveMeetingCb.filter(), CancelMeetingCb.filter()))
    async def manage(
        query: CallbackQuery,
        callback_data: MoveMeetingCb | CancelMeetingCb,
        member: Member,
        meetings: MeetingService,
        state: FSMContext,
        t: Translator,
    ) -> None:
        meeting = await meetings.manageable(member, callback_data.meeting)
        if meeting is None:
            await query.answer(t("vot.stale"), show_alert=True)
            return
        await query.answer()
        if not isinstance(query.message, Message):
            return
        if isinstance(callback_data, MoveMeetingCb):
            await state.set_state(VotMove.date)
            await state.set_data({"meeting": meeting.id})
            await query.message.answer(t("vot.plan.ask_date"))
            return
        await query.message.answer(t("vot.cancelled", n=await meetings.cancel(member, meeting)))

    @router.callback_query(PlanSchoolCb.filter())
    async def school_picked(
        query: CallbackQuery,
        callback_data: PlanSchoolCb,
        member: Member,
        meetings: MeetingService,
        state: FSMContext,
        t: Translator,
    ) -> None:
        await query.answer()
        if not isinstance(query.message, Message):
            return
        if callback_data.school not in meetings.planning_schools(member):
            await query.message.answer(t("vot.stale"))
            return
        await _begin(state, query.message, t, callback_data.school)

    @router.callback_query(StateFilter(VotPlan.duration), PlanDurationCb.filter(F.minutes.in_(DURATIONS)))
    async def duration(
        query: CallbackQuery,
        callback_data: PlanDurationCb,
        member: Member,
        state: FSMContext,
        reader: CaseReader,
        t: Translator,
    ) -> None:
        await query.answer()
        data = await state.update_data(minutes=callback_data.minutes, agenda=[])
        await state.set_state(VotPlan.agenda)
        candidates = await _candidates(reader, member, int(data["school"]))
        if isinstance(query.message, Message):
            await query.message.answer(
                t("vot.plan.ask_agenda"), reply_markup=agenda_keyboard(t, candidates, [])
            )

    @router.callback_query(StateFilter(VotPlan.agenda), AgendaPickCb.filter())
    async def pick(
        query: CallbackQuery,
        callback_data: AgendaPickCb,
        member: Member,
        state: FSMContext,
        reader: CaseReader,
        t: Translator,
    ) -> None:
        await query.answer()
        data = await state.get_data()
        candidates, picked = await _candidates(reader, member, int(data["school"])), list(data["agenda"])
        if 0 <= callback_data.index < len(candidates):
            ref = candidates[callback_data.index].case.ref
            picked = [r for r in picked if r != ref] if ref in picked else [*picked, ref]
        await state.update_data(agenda=picked)
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=agenda_keyboard(t, candidates, picked))

    @router.callback_query(StateFilter(VotPlan.agenda), or_f(AgendaAllCb.filter(), AgendaDoneCb.filter()))
    async def agenda_done(
        query: CallbackQuery,
        callback_data: AgendaAllCb | AgendaDoneCb,
        member: Member,
        state: FSMContext,
        reader: CaseReader,
        t: Translator,
    ) -> None:
        await query.answer()
        data = await state.get_data()
        if isinstance(callback_data, AgendaAllCb):
            candidates = await _candidates(reader, member, int(data["school"]))
            data = await state.update_data(agenda=[s.case.ref for s in candidates])
        await state.set_state(VotPlan.confirm)
        start = datetime.fromisoformat(data["start"])
        summary = t("vot.plan.confirm", when=start, minutes=data["minutes"], n=len(data["agenda"]))
        if isinstance(query.message, Message):
            await query.message.answer(summary, reply_markup=confirm_keyboard(t))

    @router.callback_query(StateFilter(VotPlan.confirm), or_f(PlanSendCb.filter(), PlanDropCb.filter()))
    async def confirm(
        query: CallbackQuery,
        callback_data: PlanSendCb | PlanDropCb,
        member: Member,
        state: FSMContext,
        meetings: MeetingService,
        reader: CaseReader,
        t: Translator,
    ) -> None:
        await query.answer()
        data = await state.get_data()
        await state.clear()
        if not isinstance(query.message, Message):
            return
        await query.message.edit_reply_markup(reply_markup=None)
        if isinstance(callback_data, PlanDropCb):
            await query.message.answer(t("vot.plan.dropped"))
            return
        school_id = int(data["school"])
        agenda = meetings.agenda(await _candidates(reader, member, school_id), data["agenda"])
        start, minutes = datetime.fromisoformat(data["start"]), int(data["minutes"])
        planned = await meetings.plan(member, school_id, start, minutes, agenda)
        await query.message.answer(t("vot.plan.sent", n=planned.invited))

    @router.callback_query(or_f(*(cb.filter() for cb in PLANNING)))
    async def stale(query: CallbackQuery, t: Translator) -> None:
        """A planning button pressed outside its step (an older message, a plan already sent)."""
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(t("vot.stale"))

    return router
