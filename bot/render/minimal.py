"""The chat in minimal-content mode (ZORGROUTE_CHAT_CONTENT=minimal, docs/webapp.md): only what a
Verwijsindex-style "that" message needs — the school, the case reference, the pupil label and which step
waits — and a button that opens the Mini App, where the content is. No answers, no summaries, no free
text pass through Telegram."""

from __future__ import annotations

import html
from urllib.parse import quote

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import FormConfirm, FormDiscard
from bot.render.case_view import STATUS
from bot.render.form import Rendered, header
from bot.render.text import Translator
from flows import events as ev
from flows.case import Case
from flows.route import Route


def open_app_button(t: Translator, app_url: str, ref: str | None = None) -> InlineKeyboardButton:
    """Opens the Mini App (at the case's dossier when `ref` is given) in Telegram's web view."""
    url = f"{app_url}?ref={quote(ref)}" if ref else app_url
    return InlineKeyboardButton(text=t("notify.open_app"), web_app=WebAppInfo(url=url))


def with_open_app(
    t: Translator, keyboard: InlineKeyboardMarkup | None, app_url: str | None, ref: str | None
) -> InlineKeyboardMarkup | None:
    """`keyboard` with the Mini App button on top (unchanged when there is no Mini App URL)."""
    if app_url is None:
        return keyboard
    rows = [[open_app_button(t, app_url, ref)], *(keyboard.inline_keyboard if keyboard else [])]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def minimal_case(t: Translator, route: Route, case: Case, school_name: str) -> str:
    """/zaak in minimal mode: which case, which school, where it stands. The dossier is in the Mini App."""
    step = route.step(case.step)
    return (
        header(t, case)
        + html.escape(school_name)
        + "\n"
        + t("case.status", status=STATUS[case.status], step=step.title)
    )


def step_in_app(t: Translator, case: Case, step_id: str, step_title: str, app_url: str) -> Rendered:
    """A step's form in minimal mode: which case and which step waits, and a button that opens the step's
    form in the Mini App. The questions are not asked in the chat, so no answer is given there."""
    url = f"{app_url}?ref={quote(case.ref)}&step={quote(step_id)}"
    button = InlineKeyboardButton(text=t("form.open_in_app"), web_app=WebAppInfo(url=url))
    text = header(t, case, step_title) + t("form.in_app")
    return text, InlineKeyboardMarkup(inline_keyboard=[[button]])


def minimal_summary(t: Translator, case: Case | None, step_title: str, summary: ev.Summary) -> Rendered:
    """The confirmation without the answers: they stay out of the chat history."""
    text = header(t, case, step_title) + t("form.summary_minimal", n=len(summary.values))
    at = {"ref": summary.case_ref, "step": summary.step, "field": "-"}
    kb = InlineKeyboardBuilder()
    kb.row(
        InlineKeyboardButton(text=t("form.confirm"), callback_data=FormConfirm(**at).pack()),
        InlineKeyboardButton(text=t("form.cancel"), callback_data=FormDiscard(**at).pack()),
    )
    return text, kb.as_markup()
