"""A notification as the recipient reads it: school, case reference, pupil label, what happened, and the
command to open it — never free text or names (the payload does not even carry them)."""

from __future__ import annotations

import html
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ActionCb, CaseCb
from bot.render.text import Translator
from flows.route import Route


def notification_text(t: Translator, payload: dict[str, Any], school_name: str) -> str:
    mark = "❗ " if payload.get("urgent") else "🔔 "
    if not payload.get("case_ref"):  # a notice about the school, not about a case (e.g. offboarding)
        return f"{mark}{html.escape(school_name)}\n{t(payload['message'], **payload.get('params', {}))}"
    pupil = f" · {html.escape(payload['pupil'])}" if payload.get("pupil") else ""
    head = f"{mark}{html.escape(school_name)} · <b>{payload['case_ref']}</b>{pupil}"
    return f"{head}\n{t(payload['message'])}\n\n{t('notify.open_hint', ref=payload['case_ref'])}"


def notification_keyboard(
    t: Translator, payload: dict[str, Any], route: Route | None
) -> InlineKeyboardMarkup | None:
    ref = payload.get("case_ref")
    if not ref:
        return None
    kb = InlineKeyboardBuilder()
    kb.row(InlineKeyboardButton(text=t("notify.open"), callback_data=CaseCb(ref=ref).pack()))
    step = payload.get("step")
    for action_id in payload.get("actions") or ():
        if route is not None and action_id in route.actions and step:
            label = t.raw(route.actions[action_id].label)
            kb.row(
                InlineKeyboardButton(
                    text=label, callback_data=ActionCb(ref=ref, step=step, action=action_id).pack()
                )
            )
    return kb.as_markup()
