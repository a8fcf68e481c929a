"""A VOT meeting invitation, update or cancellation as members read it — in Telegram, in mail and in the
calendar file. It lists case references and pupil labels only: calendars sync to phones and servers."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks_vot import Rsvp, RsvpCb
from bot.i18n import N_
from bot.render.text import Translator

ANSWER_LABELS = {
    Rsvp.YES: N_("vot.answer.yes"),
    Rsvp.NO: N_("vot.answer.no"),
    Rsvp.MAYBE: N_("vot.answer.maybe"),
}
_TITLES = {
    "new": N_("vot.invite.title_new"),
    "update": N_("vot.invite.title_update"),
    "cancel": N_("vot.invite.title_cancel"),
}
_EVENTS = {
    "new": N_("vot.event.new"),
    "update": N_("vot.event.update"),
    "cancel": N_("vot.event.cancel"),
}


_ICS_SUMMARY, _ICS_DESCRIPTION = N_("vot.ics.summary"), N_("vot.ics.description")


def start_of(payload: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(payload["start"]))


def meeting_title(t: Translator, payload: dict[str, Any], school_name: str) -> str:
    return t(_TITLES[str(payload["change"])], school=school_name)


def meeting_event(t: Translator, payload: dict[str, Any]) -> str:
    """One short line (WhatsApp template parameter): what changed and when."""
    return t(_EVENTS[str(payload["change"])], when=start_of(payload))


def meeting_lines(t: Translator, payload: dict[str, Any], school_name: str) -> list[str]:
    lines = [
        f"📅 <b>{meeting_title(t, payload, school_name)}</b>",
        t("vot.invite.when", when=start_of(payload), minutes=int(payload["minutes"])),
    ]
    if payload["change"] != "cancel":
        lines.append(t("vot.invite.link", url=payload["video"]))
    agenda = payload.get("agenda") or []
    if agenda:
        lines.append(t("vot.invite.agenda"))
        lines.extend(
            f"• {html.escape(item['ref'])} · {html.escape(item.get('pupil') or '')}" for item in agenda
        )
    if payload["change"] != "cancel":
        lines += ["", t("vot.invite.open_hint")]
    return lines


def rsvp_keyboard(t: Translator, meeting_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(label), callback_data=RsvpCb(meeting=meeting_id, answer=answer).pack()
                )
                for answer, label in ANSWER_LABELS.items()
            ]
        ]
    )


def calendar_texts(t: Translator, payload: dict[str, Any], school_name: str) -> tuple[str, str]:
    """(summary, description) for the .ics, plain text: case references and labels, the bot command."""
    summary = t.raw(_ICS_SUMMARY).format(school=school_name)
    refs = ", ".join(f"{item['ref']} ({item.get('pupil') or '-'})" for item in payload.get("agenda") or [])
    description = t.raw(_ICS_DESCRIPTION).format(agenda=refs or "-", url=payload["video"])
    return summary, description


def duration_of(payload: dict[str, Any]) -> timedelta:
    return timedelta(minutes=int(payload["minutes"]))


def answer_lines(t: Translator, payload: dict[str, Any]) -> list[str]:
    """For the planner: who answered what to which meeting."""
    return [
        t(
            "vot.answer.to_planner",
            who=str(payload["who"]),
            answer=ANSWER_LABELS[Rsvp(str(payload["answer"]))],
            when=start_of(payload),
        )
    ]
