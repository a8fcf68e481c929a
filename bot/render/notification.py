"""A notification as the recipient reads it: school, case reference, pupil label, what happened, and the
command to open it — never free text or names (the payload does not even carry them)."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ActionCb, CaseCb, OpenCb, SnoozeCb
from bot.render.text import Translator
from flows.msgids import Msg, params_from_data
from flows.route import Route


def notification_lines(t: Translator, payload: dict[str, Any], school_name: str) -> list[str]:
    """The notification as lines of Telegram-safe HTML (everything not ours is escaped)."""
    mark = "❗ " if payload.get("urgent") else "🔔 "
    # A payload's "message" is a msgid by its place (stored as JSON, it comes back a plain str); its
    # params say themselves which of them are msgids (flows.msgids.params_to_data).
    what = Msg(payload.get("message"))
    if not payload.get("case_ref"):  # a notice about the school, not about a case (e.g. offboarding)
        params = params_from_data(payload.get("params") or {})
        return [f"{mark}{html.escape(school_name)}", t(what, **params)]
    pupil = f" · {html.escape(payload['pupil'])}" if payload.get("pupil") else ""
    head = f"{mark}{html.escape(school_name)} · <b>{html.escape(payload['case_ref'])}</b>{pupil}"
    # Outside an f-string: Babel does not look inside one, and would drop the msgid from the catalogs.
    hint = t("notify.open_hint", ref=payload["case_ref"])
    return [head, t(what), "", hint]


def notification_text(t: Translator, payload: dict[str, Any], school_name: str) -> str:
    return "\n".join(notification_lines(t, payload, school_name))


def notification_keyboard(
    t: Translator, payload: dict[str, Any], route: Route | None, *, may_act: bool = False
) -> InlineKeyboardMarkup | None:
    ref = payload.get("case_ref")
    if not ref:
        return None
    kb = InlineKeyboardBuilder()
    kb.row(InlineKeyboardButton(text=t("notify.open"), callback_data=CaseCb(ref=ref).pack()))
    step = payload.get("step")
    follow_up = payload.get("follow_up")
    if step and may_act:
        # Someone who can do the work starts on it in one tap (the press is checked again), and puts a
        # reminder off in one more.
        kb.add(
            InlineKeyboardButton(text=t("followup.work_on"), callback_data=OpenCb(ref=ref, step=step).pack())
        )
        if follow_up:
            snooze = SnoozeCb(ref=ref, step=step, follow_up=follow_up)
            kb.add(InlineKeyboardButton(text=t("followup.snooze"), callback_data=snooze.pack()))
    for action_id in payload.get("actions") or ():
        if route is not None and action_id in route.actions and step:
            label = t.raw(route.actions[action_id].label)
            kb.row(
                InlineKeyboardButton(
                    text=label, callback_data=ActionCb(ref=ref, step=step, action=action_id).pack()
                )
            )
    return kb.as_markup()


def may_act_on(route: Route | None, roles: frozenset[str], step: str | None) -> bool:
    """Whether holders of `roles` work on `step`: only they get a reminder's open and snooze buttons
    (a press is checked again anyway)."""
    if route is None or step is None or step not in route.steps:
        return False
    return bool(roles & route.expand(route.step(step).actors))


def dead_letter_lines(t: Translator, payload: dict[str, Any]) -> list[str]:
    """For admins: which row, which channel, which error class. Nothing of what the row was about."""
    return [
        t(
            "notify.dead_letter",
            row=int(payload["row_id"]),
            channel=str(payload["channel"]),
            error=str(payload["error"]),
        )
    ]
