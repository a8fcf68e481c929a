"""/vot: planned VOT meetings with their answers; /vot plan: the IB-er, zorgcoördinator or directie plans
one (date, time, duration, agenda) and every VOT member is invited on their channels. Members answer with
Ja / Nee / Misschien under the invitation. The conversation state lives on the member (bot/conversation)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.callbacks import VotCb
from bot.conversation import (
    Conversation,
    InConversation,
    clear_conversation,
    get_conversation,
    set_conversation,
)
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
from bot.settings import Settings
from flows.clock import Clock
from storage.models import Member
from storage.uow import UnitOfWork

CONVERSATION = "vot"


def parse_date(text: str, today: date) -> date | None:
    """ "30-11-2026", "30-11" (this year, or next if passed) or "2026-11-30"; not in the past."""
    parts = text.strip().replace("/", "-").split("-")
    try:
        if len(parts[0]) == 4:
            given = date(int(parts[0]), int(parts[1]), int(parts[2]))
        elif len(parts) == 3:
            given = date(int(parts[2]), int(parts[1]), int(parts[0]))
        else:
            given = date(today.year, int(parts[1]), int(parts[0]))
            if given < today:
                given = given.replace(year=today.year + 1)
    except (ValueError, IndexError):
        return None
    return given if given >= today else None


def parse_time(text: str) -> time | None:
    try:
        hours, minutes = text.strip().replace(".", ":").split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


async def _candidates(reader: CaseReader, member: Member, school_id: int) -> list[Seen]:
    return [s for s in await reader.vot_list(member) if s.case.school_id == school_id]


def build_router() -> Router:
    router = Router(name="vot")
    router.message.filter(F.chat.type == "private")

    @router.message(Command("vot"))
    async def vot(
        message: Message,
        command: CommandObject,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        meetings: MeetingService,
        t: Translator,
    ) -> None:
        planning = meetings.planning_schools(member)
        if (command.args or "").strip().lower() in ("plan", "plannen"):
            if not planning:
                await message.answer(t("vot.plan.not_allowed"))
            elif len(planning) > 1:
                names = [(sid, s.name) for sid in planning if (s := await uow.schools.get(sid)) is not None]
                await message.answer(t("vot.plan.pick_school"), reply_markup=schools_keyboard(names))
            else:
                set_conversation(member, Conversation(CONVERSATION, "date", {"school": planning[0]}))
                await message.answer(t("vot.plan.ask_date"))
            return
        schools = sorted({r.school_id for r in member.roles})
        upcoming = [
            (m, await uow.meetings.tally(m.id)) for m in await uow.meetings.upcoming(schools, clock.now())
        ]
        text, keyboard = meetings_text(t, upcoming, bool(planning))
        await message.answer(text, reply_markup=keyboard)

    @router.message(InConversation(CONVERSATION, "date"), F.text)
    async def got_date(
        message: Message, member: Member, clock: Clock, settings: Settings, t: Translator
    ) -> None:
        today = clock.now().astimezone(ZoneInfo(settings.timezone)).date()
        day = parse_date(message.text or "", today)
        current = get_conversation(member)
        if day is None or current is None:
            await message.answer(t("vot.plan.bad_date"))
            return
        set_conversation(
            member, Conversation(CONVERSATION, "time", {**current.data, "date": day.isoformat()})
        )
        await message.answer(t("vot.plan.ask_time"))

    @router.message(InConversation(CONVERSATION, "time"), F.text)
    async def got_time(
        message: Message,
        member: Member,
        uow: UnitOfWork,
        clock: Clock,
        settings: Settings,
        meetings: MeetingService,
        t: Translator,
    ) -> None:
        at, current = parse_time(message.text or ""), get_conversation(member)
        if at is None or current is None:
            await message.answer(t("vot.plan.bad_time"))
            return
        local = datetime.combine(date.fromisoformat(current.data["date"]), at, ZoneInfo(settings.timezone))
        if local <= clock.now():
            await message.answer(t("vot.plan.bad_time"))
            return
        data = {**current.data, "start": local.isoformat()}
        if "move" in data:  # moving a planned meeting: date and time are all that change
            clear_conversation(member)
            meeting = await uow.meetings.get(int(data["move"]))
            try:
                if meeting is None:
                    raise PermissionError("the meeting is gone")
                invited = await meetings.move(member, meeting, local)
            except PermissionError:
                await message.answer(t("vot.stale"))
                return
            await message.answer(t("vot.moved", n=invited))
            return
        set_conversation(member, Conversation(CONVERSATION, "duration", data))
        await message.answer(t("vot.plan.ask_duration"), reply_markup=durations_keyboard(t))

    @router.callback_query(VotCb.filter(F.op == "rsvp"))
    async def rsvp(
        query: CallbackQuery,
        callback_data: VotCb,
        member: Member,
        meetings: MeetingService,
        t: Translator,
    ) -> None:
        if callback_data.v not in ANSWER_LABELS:
            await query.answer(t("vot.stale"), show_alert=True)
            return
        meeting = await meetings.respond(member, callback_data.m, callback_data.v)
        if meeting is None:
            await query.answer(t("vot.stale"), show_alert=True)
            return
        await query.answer(t("vot.answer.thanks", answer=ANSWER_LABELS[callback_data.v]))

    @router.callback_query(VotCb.filter(F.op.in_({"move", "cancel"})))
    async def manage(
        query: CallbackQuery,
        callback_data: VotCb,
        member: Member,
        uow: UnitOfWork,
        meetings: MeetingService,
        t: Translator,
    ) -> None:
        meeting = await uow.meetings.get(callback_data.m)
        if (
            meeting is None
            or meeting.school_id not in meetings.planning_schools(member)
            or meeting.status != "planned"
        ):
            await query.answer(t("vot.stale"), show_alert=True)
            return
        await query.answer()
        if not isinstance(query.message, Message):
            return
        if callback_data.op == "move":
            set_conversation(
                member, Conversation(CONVERSATION, "date", {"school": meeting.school_id, "move": meeting.id})
            )
            await query.message.answer(t("vot.plan.ask_date"))
            return
        invited = await meetings.cancel(member, meeting)
        await query.message.answer(t("vot.cancelled", n=invited))

    @router.callback_query(VotCb.filter())
    async def planning_step(
        query: CallbackQuery,
        callback_data: VotCb,
        member: Member,
        meetings: MeetingService,
        reader: CaseReader,
        t: Translator,
    ) -> None:
        await query.answer()
        current = get_conversation(member)
        if not isinstance(query.message, Message):
            return
        op = callback_data.op
        if op == "school" and callback_data.m in meetings.planning_schools(member):
            set_conversation(member, Conversation(CONVERSATION, "date", {"school": callback_data.m}))
            await query.message.answer(t("vot.plan.ask_date"))
            return
        if current is None or current.name != CONVERSATION:
            await query.message.answer(t("vot.stale"))
            return
        data = dict(current.data)
        school_id = int(data["school"])
        candidates = await _candidates(reader, member, school_id)
        if (
            op == "dur"
            and current.step == "duration"
            and callback_data.v.isdigit()
            and int(callback_data.v) in DURATIONS
        ):
            data["minutes"], data["agenda"] = int(callback_data.v), []
            set_conversation(member, Conversation(CONVERSATION, "agenda", data))
            await query.message.answer(
                t("vot.plan.ask_agenda"), reply_markup=agenda_keyboard(t, candidates, [])
            )
            return
        if current.step == "agenda" and op == "pick" and callback_data.v.isdigit():
            index, picked = int(callback_data.v), list(data.get("agenda") or [])
            if index < len(candidates):
                ref = candidates[index].case.ref
                picked = [r for r in picked if r != ref] if ref in picked else [*picked, ref]
            data["agenda"] = picked
            set_conversation(member, Conversation(CONVERSATION, "agenda", data))
            await query.message.edit_reply_markup(reply_markup=agenda_keyboard(t, candidates, picked))
            return
        if current.step == "agenda" and op in ("all", "done"):
            if op == "all":
                data["agenda"] = [s.case.ref for s in candidates]
            set_conversation(member, Conversation(CONVERSATION, "confirm", data))
            start = datetime.fromisoformat(data["start"])
            summary = t("vot.plan.confirm", when=start, minutes=data["minutes"], n=len(data["agenda"]))
            await query.message.answer(summary, reply_markup=confirm_keyboard(t))
            return
        if current.step == "confirm" and op in ("send", "drop"):
            clear_conversation(member)
            await query.message.edit_reply_markup(reply_markup=None)
            if op == "drop":
                await query.message.answer(t("vot.plan.dropped"))
                return
            labels = {s.case.ref: (s.case.pupil.label if s.case.pupil else None) for s in candidates}
            agenda = [{"ref": ref, "pupil": labels.get(ref)} for ref in data["agenda"] if ref in labels]
            planned = await meetings.plan(
                member, school_id, datetime.fromisoformat(data["start"]), int(data["minutes"]), agenda
            )
            await query.message.answer(t("vot.plan.sent", n=planned.invited))
            return
        await query.message.answer(t("vot.stale"))

    return router
