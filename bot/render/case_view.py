"""The case as a VOT member sees it in /zaak: summary, what was recorded, and the timeline."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ActionCb, CaseCb, OpenCb
from bot.i18n import N_, role_msgid
from bot.render.form import Rendered, header
from bot.render.text import Translator
from flows.case import Case
from flows.policy import Actor, can_act, can_do_action, can_read
from flows.route import Route

TIMELINE_SHOWN = 15  # the newest entries; Telegram messages stop at 4096 characters
MESSAGE_LIMIT = 4000

STATUS = {
    "draft": N_("case.status_draft"),
    "open": N_("case.status_open"),
    "closed": N_("case.status_closed"),
    "cancelled": N_("case.status_cancelled"),
}
CONSENT = {
    "given": N_("case.consent_given"),
    "refused": N_("case.consent_refused"),
    "unreachable": N_("case.consent_unreachable"),
}
FLAGS = {"safety": N_("case.flag_safety"), "non_responsive": N_("case.flag_non_responsive")}
ENTRIES = {"submitted": N_("case.entry_submitted"), "cancelled": N_("case.entry_cancelled")}


def render_case(
    t: Translator,
    route: Route,
    case: Case,
    actor: Actor,
    school_name: str,
    naming: str | None = None,
    names: Mapping[int, str] | None = None,
    next_due: datetime | None = None,
) -> Rendered:
    step = route.step(case.step)
    lines = [
        header(t, case)
        + html.escape(school_name)
        + " · "
        + html.escape(route.name.get(t.locale, route.name["nl"]))
    ]
    lines.append(t("case.status", status=STATUS[case.status], step=step.title))
    if case.flags:
        lines.append(t("case.flags", flags=", ".join(t.param(FLAGS.get(f, f)) for f in sorted(case.flags))))
    if case.consent is not None:
        lines.append(
            t(
                "case.consent",
                status=CONSENT.get(case.consent.status, case.consent.status),
                on=t.date(case.consent.on),
            )
        )
    if case.regiehouder:
        lines.append(t("case.regiehouder", role=role_msgid(case.regiehouder, naming)))
    if next_due is not None and case.is_open:  # the status view: what happens next, and when
        lines.append(t("case.next_date", when=t.datetime(next_due)))
    timeline = ["\n" + t("case.timeline")]
    for entry in case.timeline[-TIMELINE_SHOWN:]:
        who = t.raw(role_msgid(entry.role, naming)) if entry.role else t("case.system")
        what = t.param(route.steps[entry.step].title if entry.step in route.steps else entry.step)
        action = _action_label(t, route, entry.action)
        timeline.append(f"• {t.datetime(entry.at)} — {who}: {what} ({action})")
    # Need-to-know: only the groups of answers the reader may read; the rest is the status view above.
    recorded = recorded_lines(
        t, route, case, readable=lambda sid: can_read(actor, case, route, sid), names=names or {}
    )
    # Telegram refuses a message over 4096 characters, and a cut inside an HTML tag fails to parse: a long
    # case shows its newest answers, whole lines only, and marks that older ones were left out.
    size = len("\n".join([*lines, *timeline])) + len(t("case.recorded")) + 8
    shown = _fit_tail(recorded, MESSAGE_LIMIT - size)
    if shown:
        more = ["…"] if len(shown) < len(recorded) else []
        lines.append("\n" + t("case.recorded") + "\n" + "\n".join([*more, *shown]))
    return "\n".join([*lines, *timeline])[:MESSAGE_LIMIT], _buttons(t, route, case, actor)


def _fit_tail(lines: list[str], room: int) -> list[str]:
    """The newest `lines` that fit in `room` characters (with their newlines and a leading "…")."""
    kept: list[str] = []
    for line in reversed(lines):
        room -= len(line) + 1
        if room < 2:
            break
        kept.append(line)
    return kept[::-1]


def recorded_lines(
    t: Translator,
    route: Route,
    case: Case,
    step_id: str | None = None,
    *,
    readable: Callable[[str], bool],
    names: Mapping[int, str] | None = None,
) -> list[str]:
    """One line per recorded answer (of every step, or of `step_id` only) of the steps the reader may read
    (`readable`: the policy's `can_read`), in the reader's language."""
    out: list[str] = []
    # In the route's order (which follows the case's course), not the order storage hands the steps back.
    for sid, step in route.steps.items():
        values = case.data.get(sid)
        if values is None or step_id not in (None, sid) or not readable(sid):
            continue
        for field in step.fields:
            value: Any = values.get(field.id)
            if value in (None, [], ""):
                continue
            labels = {o.value: o.label for o in field.options}
            if field.kind == "choice":
                # A value the route no longer offers is shown as stored (t.param: only a Msg is translated).
                shown = t.param(labels.get(value, value))
            elif field.kind == "multi":
                shown = ", ".join(t.param(labels.get(v, v)) for v in value)
            elif field.kind == "date":
                shown = t.date(value)
            elif field.kind == "pupil":
                shown = html.escape(value["label"])
            elif field.kind == "member":  # the members picked, by name (ids only in storage)
                picked = value if isinstance(value, list) else [value]
                shown = html.escape(", ".join((names or {}).get(int(m), f"#{m}") for m in picked))
            else:
                shown = html.escape(str(value))
            out.append(f"• <i>{t.raw(field.prompt)}</i> {shown}")
    return out


def _action_label(t: Translator, route: Route, action: str) -> str:
    if action.startswith("action:") and action[7:] in route.actions:
        return t.raw(route.actions[action[7:]].label)
    if action.startswith("follow_up:"):
        return t("case.entry_follow_up")
    if action.startswith("enter_route:"):  # into a sub-route (the Meldcode), and back
        return t("case.entry_enter_route")
    if action.startswith("returned:"):
        return t("case.entry_returned")
    return t.param(ENTRIES.get(action, action))


def _buttons(t: Translator, route: Route, case: Case, actor: Actor) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    if can_act(actor, case, route, case.step):
        kb.row(
            InlineKeyboardButton(
                text=t("case.work_on", step=route.step(case.step).title),
                callback_data=OpenCb(ref=case.ref, step=case.step).pack(),
            )
        )
    for action in route.actions.values():
        if can_do_action(actor, case, route, action, case.step):
            kb.row(
                InlineKeyboardButton(
                    text=t.raw(action.label),
                    callback_data=ActionCb(ref=case.ref, step=case.step, action=action.id).pack(),
                )
            )
    kb.row(InlineKeyboardButton(text=t("case.refresh"), callback_data=CaseCb(ref=case.ref).pack()))
    return kb.as_markup()


def case_button(case: Case, t: Translator, route: Route) -> InlineKeyboardButton:
    mark = "❗ " if case.priority == "first" else ""
    pupil = case.pupil.label if case.pupil else "—"
    label = f"{mark}{case.ref} · {pupil} — {t.raw(route.step(case.step).title)}"
    return InlineKeyboardButton(text=label[:64], callback_data=CaseCb(ref=case.ref).pack())
