"""Engine events for the actor (prompts, summaries, replies, refusals) → Telegram text and keyboards."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    FormChoose,
    FormConfirm,
    FormDate,
    FormDiscard,
    FormDone,
    FormEarlier,
    FormMember,
    FormMemberToggle,
    FormPupil,
    FormReopen,
    FormToggle,
    NamesCb,
    NamesChoice,
)
from bot.render.text import Translator
from flows import events as ev
from flows.case import Case, Pupil
from flows.msgids import N_

Rendered = tuple[str, InlineKeyboardMarkup | None]

# Quick answers for a date question, in weeks from today: the usual evaluation horizons.
DATE_SHORTCUTS_WEEKS = (2, 4, 6)

# A multi-choice box, ticked or not: plain glyphs that read as boxes on every client (not "▫️").
TICKED, UNTICKED = "☑", "☐"


def header(t: Translator, case: Case | None, step_title: str | None = None) -> str:
    if case is None:
        return ""
    label = f" · {html.escape(case.pupil.label)}" if case.pupil else ""
    urgent = "❗ " if case.priority == "first" else ""
    title = f" — {t.raw(step_title)}" if step_title else ""
    return f"{urgent}<b>{case.ref}{label}</b>{title}\n"


def render_prompt(
    t: Translator,
    case: Case | None,
    step_title: str,
    prompt: ev.Prompt,
    *,
    today: date,
    pupils: list[Pupil],
    members: Sequence[tuple[int, str]] = (),
    answered: str = "",
) -> Rendered:
    """The question, under `answered` (the step's answers so far, when the question replaces the one
    just answered in the same message)."""
    text = header(t, case, step_title) + answered + t.raw(prompt.message)
    kb = InlineKeyboardBuilder()
    at = {"ref": prompt.case_ref, "step": prompt.step, "field": prompt.field}
    done = FormDone(**at).pack()

    if prompt.kind == "choice":
        for i, (_, label) in enumerate(prompt.options):
            kb.row(InlineKeyboardButton(text=t.raw(label), callback_data=FormChoose(**at, option=i).pack()))
    elif prompt.kind == "multi":
        for i, (value, label) in enumerate(prompt.options):
            mark = TICKED if value in prompt.selected else UNTICKED
            toggle = FormToggle(**at, option=i).pack()
            kb.row(InlineKeyboardButton(text=f"{mark} {t.raw(label)}", callback_data=toggle))
        kb.row(InlineKeyboardButton(text=t("form.done"), callback_data=done))
        text += "\n<i>" + t("form.hint_multi") + "</i>"
    elif prompt.kind == "text":
        text += "\n<i>" + t("form.hint_text", max=prompt.max_length) + "</i>"
    elif prompt.kind == "date" and prompt.tense == "past":  # when something happened
        text += "\n<i>" + t("form.hint_date_past") + "</i>"
        kb.row(InlineKeyboardButton(text=t("form.today"), callback_data=_date(at, today)))
        kb.add(InlineKeyboardButton(text=t("form.yesterday"), callback_data=_date(at, today - timedelta(1))))
        kb.add(InlineKeyboardButton(text=t("form.earlier"), callback_data=FormEarlier(**at).pack()))
    elif prompt.kind == "date":
        text += "\n<i>" + t("form.hint_date") + "</i>"
        kb.row(InlineKeyboardButton(text=t("form.today"), callback_data=_date(at, today)))
        for weeks in DATE_SHORTCUTS_WEEKS:
            day = today + timedelta(weeks=weeks)
            kb.add(InlineKeyboardButton(text=t("form.in_weeks", n=weeks), callback_data=_date(at, day)))
    elif prompt.kind == "pupil":
        text += "\n<i>" + t("form.hint_pupil") + "</i>"
        for pupil in pupils:
            shown = pupil.label + (f" ({pupil.number})" if pupil.number else "")
            if pupil.id is not None:
                kb.row(InlineKeyboardButton(text=shown, callback_data=FormPupil(**at, pupil=pupil.id).pack()))
    elif prompt.kind == "member":
        # The school's holders of the field's roles, by name: one, or several (then done).
        for member_id, name in members:
            if prompt.multiple:
                mark = TICKED if str(member_id) in prompt.selected else UNTICKED
                tick = FormMemberToggle(**at, member=member_id).pack()
                kb.row(InlineKeyboardButton(text=f"{mark} {name}", callback_data=tick))
            else:
                kb.row(
                    InlineKeyboardButton(text=name, callback_data=FormMember(**at, member=member_id).pack())
                )
        if prompt.multiple:
            kb.row(InlineKeyboardButton(text=t("form.done"), callback_data=done))
            text += "\n<i>" + t("form.hint_multi") + "</i>"
    if prompt.optional and prompt.kind != "multi" and not prompt.multiple:
        kb.row(InlineKeyboardButton(text=t("form.skip"), callback_data=done))
    kb.row(InlineKeyboardButton(text=t("form.cancel"), callback_data=FormDiscard(**at).pack()))
    return text, kb.as_markup()


def _date(at: dict[str, str], day: date) -> str:
    return FormDate(**at, day=day.strftime("%Y%m%d")).pack()


def render_summary(
    t: Translator,
    case: Case | None,
    step_title: str,
    summary: ev.Summary,
    names: Mapping[int, str] | None = None,
) -> Rendered:
    names = names or {}
    lines = [header(t, case, step_title) + t("form.summary_intro")]
    for prompt, kind, value in summary.values:
        lines.append(f"• <i>{t.raw(prompt)}</i>\n   {shown_value(t, kind, value, names)}")
    kb = InlineKeyboardBuilder()
    # One button per answer to change it before confirming (its field asked again).
    for (prompt, _, _), field in zip(summary.values, summary.fields, strict=False):
        again = FormReopen(ref=summary.case_ref, step=summary.step, field=field).pack()
        kb.row(InlineKeyboardButton(text=t("form.change", what=_short(t.raw(prompt))), callback_data=again))
    at = {"ref": summary.case_ref, "step": summary.step, "field": "-"}  # "-": about no one field
    kb.row(
        InlineKeyboardButton(text=t("form.confirm"), callback_data=FormConfirm(**at).pack()),
        InlineKeyboardButton(text=t("form.cancel"), callback_data=FormDiscard(**at).pack()),
    )
    return "\n".join(lines), kb.as_markup()


def shown_value(t: Translator, kind: str, value: str, names: Mapping[int, str]) -> str:
    """One answer as a summary shows it (`value` as in `ev.Summary.values`)."""
    if kind in ("choice", "multi"):
        return ", ".join(t.raw(v) for v in value.split(","))
    if kind == "member":
        return html.escape(", ".join(names.get(int(v), "#" + v) for v in value.split(",") if v))
    if kind == "date":
        return t.date(value)
    return html.escape(value)


def render_answered(
    t: Translator,
    values: Sequence[tuple[str, str, str]],
    names: Mapping[int, str] | None = None,
) -> str:
    """The answers given so far on a step, one line each ("Over welke leerling gaat het? — AB 5b";
    ticked boxes as ☑), for the message whose question was answered by a press."""
    lines = []
    for prompt, kind, value in values:
        if kind == "multi":
            shown = ", ".join(f"{TICKED} {t.raw(v)}" for v in value.split(","))
        else:
            shown = shown_value(t, kind, value, names or {})
        lines.append(f"<i>{t.raw(prompt)}</i> — <b>{shown}</b>\n")
    return "".join(lines)


def _short(text: str, limit: int = 40) -> str:
    """A prompt short enough for a button: its first sentence, cut at `limit`."""
    first = text.split("?")[0].split(". ")[0].strip()
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def render_reply(t: Translator, event: ev.Say | ev.Refused) -> str:
    return t(event.message, **event.params)


def names_keyboard(t: Translator, ref: str) -> InlineKeyboardMarkup:
    """The name guard's question: use the answer with placeholders, or type it again."""
    kb = InlineKeyboardBuilder()
    for label, choice in (
        (N_("names.use"), NamesChoice.USE),
        (N_("names.rewrite_button"), NamesChoice.REWRITE),
    ):
        kb.row(InlineKeyboardButton(text=t(label), callback_data=NamesCb(ref=ref, choice=choice).pack()))
    return kb.as_markup()
