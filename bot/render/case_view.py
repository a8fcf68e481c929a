"""The case in /zaak: a short header, what was recorded grouped per step (as far as the reader may read
it), and the timeline behind a button; long cases in pages."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ActionCb, CaseCb, CasePageCb, CorrectCb, CorrectFieldCb, CorrectOptionCb, OpenCb
from bot.i18n import N_, role_msgid
from bot.render.form import Rendered, header
from bot.render.text import Translator
from flows.case import Case, TimelineEntry
from flows.policy import Actor, can_act, can_correct, can_do_action, can_read
from flows.route import Field, Route

MESSAGE_LIMIT = 4000  # Telegram messages stop at 4096 characters

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
PRIORITY = {"normal": N_("case.priority_normal"), "first": N_("case.priority_first")}
FLAGS = {"safety": N_("case.flag_safety"), "non_responsive": N_("case.flag_non_responsive")}
ENTRIES = {
    "submitted": N_("case.entry_submitted"),
    "cancelled": N_("case.entry_cancelled"),
    "corrected": N_("case.entry_corrected"),
}


@dataclass(frozen=True)
class CaseContext:
    """What the case view needs beyond the case: read at the edge (bot/routers/cases.py)."""

    school_name: str = ""
    naming: str | None = None
    names: Mapping[int, str] = dc_field(default_factory=dict)  # member id -> display name
    next_due: datetime | None = None


def render_case(
    t: Translator,
    route: Route,
    case: Case,
    actor: Actor,
    context: CaseContext,
    part: str = "c",
    page: int = 0,
) -> Rendered:
    """One page of the case: `part` "c" is the header and what was recorded, grouped per submission of a
    step (each contact attempt its own group); "t" is the timeline, newest first. Telegram stops a message
    at 4096 characters, so a long case comes in pages with a "meer" button, split between groups."""
    head = _header(t, route, case, context)
    if part == "t":
        blocks = [_timeline_line(t, route, e, context) for e in reversed(case.timeline)]
        title = t("case.timeline")
    else:
        # Need-to-know: only the groups of answers the reader may read; the header is the status view.
        blocks = _recorded_blocks(t, route, case, lambda sid: can_read(actor, case, route, sid), context)
        title = t("case.recorded") if blocks else ""
    pages = _paginate(blocks, MESSAGE_LIMIT - len(head) - len(title) - 4)
    page = max(0, min(page, len(pages) - 1))
    body = "\n".join(x for x in (title, pages[page]) if x)
    text = head + ("\n\n" + body if body else "")
    return text[:MESSAGE_LIMIT], _buttons(t, route, case, actor, part, page, len(pages))


def _header(t: Translator, route: Route, case: Case, context: CaseContext) -> str:
    """Ref, pupil, school and route, step and who holds it, priority, the next date."""
    step = route.step(case.step)
    lines = [
        header(t, case).rstrip("\n"),
        html.escape(context.school_name) + " · " + html.escape(route.name.get(t.locale, route.name["nl"])),
        t("case.status", status=STATUS[case.status], step=step.title),
    ]
    if case.is_open and not step.terminal:
        lines.append(t("case.holder", who=_holders(t, route, case, context)))
    lines.append(t("case.priority", priority=PRIORITY.get(case.priority, case.priority)))
    if case.flags:
        lines.append(t("case.flags", flags=", ".join(t.param(FLAGS.get(f, f)) for f in sorted(case.flags))))
    if case.consent is not None:
        status = CONSENT.get(case.consent.status, case.consent.status)
        lines.append(t("case.consent", status=status, on=t.date(case.consent.on)))
    if case.regiehouder:
        lines.append(t("case.regiehouder", role=role_msgid(case.regiehouder, context.naming)))
    if context.next_due is not None and case.is_open:  # the status view: what happens next, and when
        lines.append(t("case.next_date", when=t.datetime(context.next_due)))
    return "\n".join(lines)


def _holders(t: Translator, route: Route, case: Case, context: CaseContext) -> str:
    """Who the current step waits on: each of its roles, with the member's name where one holds it (the
    step's assignee, or who acted in that role on this case before)."""
    out = []
    for role in route.step(case.step).actors:
        member = case.assigned.get(role)
        if member is None:
            member = next((p.member_id for p in reversed(case.participants) if p.reason == role), None)
        out.append(_who(t, role, member, context))
    return ", ".join(out)


def _who(t: Translator, role: str | None, member: int | None, context: CaseContext) -> str:
    """'Jan Jansen (intern begeleider)': a member with the role they acted in; the role alone if unknown."""
    name = context.names.get(member) if member is not None else None
    if role is None:
        return html.escape(name) if name else t("case.system")
    shown = t.raw(role_msgid(role, context.naming))
    if not name:
        return shown
    # A name that already says the role ("Meester Finn (leerkracht)", or "directie" itself) gets it once;
    # a role with brackets of its own goes inside the name's without them ("onderwijsspecialist SWV").
    bare = shown.replace(" (", " ").replace(")", "")
    if any(label.casefold() in name.casefold() for label in (shown, bare)):
        return html.escape(name)
    return f"{html.escape(name)} ({bare})"


def _timeline_line(t: Translator, route: Route, entry: TimelineEntry, context: CaseContext) -> str:
    who = t("case.system") if entry.member_id is None else _who(t, entry.role, entry.member_id, context)
    what = t.param(route.steps[entry.step].title if entry.step in route.steps else entry.step)
    action = _action_label(t, route, entry.action)
    return f"• {t.datetime(entry.at)} — {who}: {what} ({action})"


def _submissions(case: Case, route: Route) -> list[tuple[str, int, dict[str, Any], TimelineEntry | None]]:
    """Every submission of every step, in the case's course: (step, attempt, values, its timeline entry).
    A step submitted again (another contact attempt) gives one item per attempt, the earlier ones kept."""
    pending = {sid: [*case.earlier.get(sid, ()), values] for sid, values in case.data.items()}
    entries: dict[str, list[TimelineEntry]] = {}
    for e in case.timeline:
        if e.action == "submitted":
            entries.setdefault(e.step, []).append(e)
    out: list[tuple[int, int, str, int, dict[str, Any], TimelineEntry | None]] = []
    order = {sid: n for n, sid in enumerate(route.steps)}
    for sid, submitted in pending.items():
        # Match from the newest: a case from before attempts were kept has more entries than submissions.
        found = entries.get(sid, [])[-len(submitted) :]
        matched: list[TimelineEntry | None] = [None] * (len(submitted) - len(found)) + list(found)
        for attempt, (values, entry) in enumerate(zip(submitted, matched, strict=True)):
            seq = case.timeline.index(entry) if entry is not None else len(case.timeline) + order.get(sid, 0)
            out.append((seq, order.get(sid, 0), sid, attempt, values, entry))
    return [
        (sid, attempt, values, entry)
        for _, _, sid, attempt, values, entry in sorted(out, key=lambda x: x[:2])
    ]


def _recorded_blocks(
    t: Translator, route: Route, case: Case, readable: Callable[[str], bool], context: CaseContext
) -> list[str]:
    blocks = []
    for sid, attempt, values, entry in _submissions(case, route):
        step = route.steps.get(sid)
        if step is None or not readable(sid):
            continue
        title = "<b>" + t.raw(step.title) + "</b>"
        if entry is not None:
            title += " — " + _who(t, entry.role, entry.member_id, context) + ", " + t.date(entry.at.date())
        lines = [title]
        for f in step.fields:
            value: Any = values.get(f.id)
            # Corrections added after confirming, beside the answer (never over it), oldest first.
            corrected = [c for c in case.corrections if (c.step, c.field, c.attempt) == (sid, f.id, attempt)]
            if value in (None, [], "") and not corrected:
                continue
            shown = "—" if value in (None, [], "") else _shown(t, f, value, context.names)
            lines.append(f"• <i>{html.escape(field_label(t, f))}</i> {shown}")
            for c in corrected:
                by = t("case.correction", who=_who(t, None, c.by_member, context), on=t.date(c.at.date()))
                lines.append(f"   ↳ {by} {_shown(t, f, c.value, context.names)}")
        if len(lines) > 1:
            blocks.append("\n".join(lines))
    return blocks


def field_label(t: Translator, f: Field) -> str:
    """A field's short label: the route's `label` ("Leerling"); a field without one, its question without
    the instructions that follow it ("Over welke leerling gaat het? Typ initialen en groep…" → "Over welke
    leerling gaat het?")."""
    if f.label:
        return t.raw(f.label)
    text = t.raw(f.prompt).strip()
    if "?" in text:
        return text[: text.index("?") + 1]
    cut = _LABEL_END.search(text)
    return text[: cut.start()].strip() if cut else text


_LABEL_END = re.compile(r"\s\(|(?<=[a-z])\.\s")


def _paginate(blocks: list[str], room: int) -> list[str]:
    """Blocks joined into pages of at most `room` characters, split between blocks and, for a block longer
    than a page, between its lines: never inside an HTML tag."""
    pages: list[str] = []
    for block in blocks:
        lines = block.split("\n") if len(block) > room else [block]
        for n, piece in enumerate(lines):
            glue = "\n\n" if n == 0 else "\n"
            if pages and len(pages[-1]) + len(glue) + len(piece) <= room:
                pages[-1] += glue + piece
            else:
                pages.append(piece[:room])
    return pages or [""]


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
            shown = _shown(t, field, value, names or {})
            out.append(f"• <i>{t.raw(field.prompt)}</i> {shown}")
    return out


def _shown(t: Translator, field: Field, value: Any, names: Mapping[int, str]) -> str:
    """A recorded value in the reader's language: option labels translated, the rest as typed (escaped)."""
    labels = {o.value: o.label for o in field.options}
    if field.kind == "choice":
        # A value the route no longer offers is shown as stored (t.param: only a Msg is translated).
        return t.param(labels.get(value, value))
    if field.kind == "multi":
        return ", ".join(t.param(labels.get(v, v)) for v in value)
    if field.kind == "date":
        return t.date(value)
    if field.kind == "pupil":
        return html.escape(value["label"])
    if field.kind == "member":  # the members picked, by name (ids only in storage)
        picked = value if isinstance(value, list) else [value]
        return html.escape(", ".join(names.get(int(m), f"#{m}") for m in picked))
    return html.escape(str(value))


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


def _buttons(
    t: Translator, route: Route, case: Case, actor: Actor, part: str, page: int, pages: int
) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    more = None
    if page + 1 < pages:  # the next page of the same part
        more = InlineKeyboardButton(
            text=t("case.more", page=page + 2, pages=pages),
            callback_data=CasePageCb(ref=case.ref, part=part, page=page + 1).pack(),
        )
    if part == "t":
        if more is not None:
            kb.row(more)
        kb.row(InlineKeyboardButton(text=t("case.back"), callback_data=CaseCb(ref=case.ref).pack()))
        return kb.as_markup()
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
    own = correctable_steps(route, case, actor)  # the member's own confirmed steps, while open
    if own:
        # One button, whatever the number of steps: with one step it opens that step's answers.
        step = own[0] if len(own) == 1 else ""
        kb.row(
            InlineKeyboardButton(
                text=t("case.correct"), callback_data=CorrectCb(ref=case.ref, step=step).pack()
            )
        )
    if more is not None:
        kb.row(more)
    if case.timeline:
        timeline = t("case.show_timeline", n=len(case.timeline))
        kb.row(InlineKeyboardButton(text=timeline, callback_data=CasePageCb(ref=case.ref, part="t").pack()))
    kb.row(InlineKeyboardButton(text=t("case.refresh"), callback_data=CaseCb(ref=case.ref).pack()))
    return kb.as_markup()


CORRECTABLE = ("text", "date", "choice")


def correctable_steps(route: Route, case: Case, actor: Actor) -> list[str]:
    """The steps `actor` may add a correction to (flows/policy.py) that have a field to correct."""
    return [
        sid
        for sid, step in route.steps.items()
        if sid in case.data
        and any(f.kind in CORRECTABLE for f in step.fields)
        and can_correct(actor, case, route, sid)
    ]


def render_correct_steps(t: Translator, route: Route, case: Case, steps: list[str]) -> Rendered:
    """Which of the member's own steps to correct."""
    kb = InlineKeyboardBuilder()
    for sid in steps:
        data = CorrectCb(ref=case.ref, step=sid).pack()
        kb.row(InlineKeyboardButton(text=t.raw(route.step(sid).title)[:60], callback_data=data))
    return header(t, case) + t("correct.which_step"), kb.as_markup()


def render_correct_fields(t: Translator, route: Route, case: Case, step_id: str) -> Rendered:
    """Which answer of the step to correct: one button per field that can be corrected."""
    step = route.step(step_id)
    kb = InlineKeyboardBuilder()
    for f in step.fields:
        if f.kind in CORRECTABLE:
            data = CorrectFieldCb(ref=case.ref, step=step_id, field=f.id).pack()
            kb.row(InlineKeyboardButton(text=field_label(t, f)[:60], callback_data=data))
    return header(t, case, step.title) + t("correct.which"), kb.as_markup()


def render_correct_options(t: Translator, route: Route, case: Case, step_id: str, f: Field) -> Rendered:
    kb = InlineKeyboardBuilder()
    for i, option in enumerate(f.options):
        data = CorrectOptionCb(ref=case.ref, step=step_id, field=f.id, option=i).pack()
        kb.row(InlineKeyboardButton(text=t.raw(option.label), callback_data=data))
    return header(t, case, route.step(step_id).title) + html.escape(field_label(t, f)), kb.as_markup()


def case_button(case: Case, t: Translator, route: Route) -> InlineKeyboardButton:
    mark = "❗ " if case.priority == "first" else ""
    pupil = case.pupil.label if case.pupil else "—"
    label = f"{mark}{case.ref} · {pupil} — {t.raw(route.step(case.step).title)}"
    return InlineKeyboardButton(text=label[:64], callback_data=CaseCb(ref=case.ref).pack())
