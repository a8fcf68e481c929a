"""One outbox row → what each channel sends: Telegram HTML with buttons, a mail subject with text and
HTML bodies, a one-line event label for WhatsApp templates. All texts come from the catalogs in the
recipient's language; the lines are built once, as HTML-safe text, and the plain forms derived from them."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.render.digest import digest_keyboard, digest_text
from bot.render.meeting import answer_lines, meeting_event, meeting_lines, meeting_title, rsvp_keyboard
from bot.render.notification import dead_letter_lines, may_act_on, notification_keyboard, notification_lines
from bot.render.text import Translator
from flows.route import Route

MEETING_KINDS = frozenset({"vot_invite"})
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Outgoing:
    lines: list[str]  # HTML-safe (Telegram's subset), one per line
    subject: str  # plain text
    keyboard: InlineKeyboardMarkup | None
    ref: str  # the case reference, or "VOT" for meetings (template parameter)
    pupil: str  # the pupil label, or "-" (template parameters may not be empty)
    event: str  # one short plain line: what happened

    @property
    def telegram(self) -> str:
        return "\n".join(self.lines)

    @property
    def text(self) -> str:
        return plain("\n".join(self.lines))

    def mail_html(self, language: str, footer: str) -> str:
        body = "<br>\n".join(self.lines)
        return (
            f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8"></head>'
            f'<body style="font-family: sans-serif">\n<p>{body}</p>\n<p style="color:#666">{footer}</p>\n'
            "</body></html>\n"
        )


def plain(markup: str) -> str:
    """Our own markup → plain text. Safe because everything that is not ours was escaped, so every
    `<...>` left is a tag we wrote."""
    return html.unescape(_TAG.sub("", markup))


def one_line(text: str, limit: int = 100) -> str:
    flat = _SPACE.sub(" ", plain(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render(
    t: Translator,
    kind: str,
    payload: dict[str, Any],
    school_name: str,
    route: Route | None = None,
    *,
    roles: frozenset[str] = frozenset(),
) -> Outgoing:
    """`roles`: the recipient's roles at the school — only those who work on a reminder's step get its
    "work on it" and "snooze" buttons (a press is checked again anyway)."""
    if kind in MEETING_KINDS:
        lines = meeting_lines(t, payload, school_name)
        keyboard = None if payload["change"] == "cancel" else rsvp_keyboard(t, int(payload["meeting_id"]))
        title = meeting_title(t, payload, school_name)
        return Outgoing(lines, plain(title), keyboard, "VOT", "-", one_line(meeting_event(t, payload)))
    if kind == "vot_answer":
        lines = answer_lines(t, payload)
        return Outgoing(lines, plain(lines[0]), None, "VOT", "-", one_line(lines[0]))
    if kind == "digest":
        lines = digest_text(t, payload, school_name).split("\n")
        return Outgoing(lines, plain(lines[0]), digest_keyboard(payload), "-", "-", one_line(lines[0]))
    if kind == "dead_letter":
        lines = dead_letter_lines(t, payload)
        return Outgoing(lines, plain(lines[0]), None, "-", "-", one_line(lines[0]))
    lines = notification_lines(t, payload, school_name)
    if not payload.get("case_ref"):  # a notice about the school, not a case (e.g. offboarding)
        return Outgoing(lines, plain(lines[0]), None, "-", "-", one_line(lines[-1]))
    ref = str(payload["case_ref"])
    what = str(payload.get("message"))  # a msgid kept as data; a literal inside t() would be extracted
    subject = plain(t("notify.mail_subject", school=school_name, ref=ref))
    return Outgoing(
        lines,
        subject,
        notification_keyboard(t, payload, route, may_act=may_act_on(route, roles, payload.get("step"))),
        ref,
        str(payload.get("pupil") or "-"),
        one_line(t(what)),
    )
