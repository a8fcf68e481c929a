"""/vot as the planner sees it: the planning questions, the summary, and the list of planned meetings."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks_vot import (
    AgendaAllCb,
    AgendaDoneCb,
    AgendaPickCb,
    CancelMeetingCb,
    MoveMeetingCb,
    PlanDropCb,
    PlanDurationCb,
    PlanSchoolCb,
    PlanSendCb,
)
from bot.render.form import TICKED, UNTICKED
from bot.render.text import Translator
from bot.services.meetings import DURATIONS
from bot.services.reads import Seen
from storage.models import VotMeeting


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def schools_keyboard(schools: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(name, PlanSchoolCb(school=sid))] for sid, name in schools]
    )


def durations_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(t("vot.plan.minutes", n=n), PlanDurationCb(minutes=n)) for n in DURATIONS]]
    )


def agenda_keyboard(t: Translator, candidates: Sequence[Seen], picked: Sequence[str]) -> InlineKeyboardMarkup:
    rows = [[_button(t("vot.plan.agenda_all", n=len(candidates)), AgendaAllCb())]]
    for index, seen in enumerate(candidates[:20]):
        mark = TICKED if seen.case.ref in picked else UNTICKED
        label = seen.case.pupil.label if seen.case.pupil else ""
        rows.append([_button(f"{mark} {seen.case.ref} · {label}", AgendaPickCb(index=index))])
    rows.append([_button(t("vot.plan.agenda_done"), AgendaDoneCb())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def confirm_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("vot.plan.send"), PlanSendCb()), _button(t("vot.plan.drop"), PlanDropCb())]
        ]
    )


def meetings_text(
    t: Translator, meetings: Sequence[tuple[VotMeeting, dict[str, int]]], can_plan: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not meetings:
        return t("vot.none") + ("\n" + t("vot.plan_hint") if can_plan else ""), None
    lines = [t("vot.list_title")]
    rows: list[list[InlineKeyboardButton]] = []
    for meeting, tally in meetings:
        lines.append(
            t(
                "vot.item",
                when=meeting.start_at,
                minutes=meeting.duration_minutes,
                yes=tally["yes"],
                no=tally["no"],
                maybe=tally["maybe"],
                n=len(meeting.agenda),
            )
        )
        if can_plan:
            rows.append(
                [
                    _button(t("vot.move"), MoveMeetingCb(meeting=meeting.id)),
                    _button(t("vot.cancel"), CancelMeetingCb(meeting=meeting.id)),
                ]
            )
    if can_plan:
        lines.append(t("vot.plan_hint"))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
