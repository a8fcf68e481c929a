"""The Mini App's pages as HTML strings: plain templates, every value escaped (the Translator escapes its
parameters; catalog text is our own and uses only <b> and <i>). Mobile-first and keyboard-operable:
one column, real links and headings, no script needed to read a page."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from bot.i18n import N_, role_msgid
from bot.render.case_view import CONSENT, STATUS, recorded_lines
from bot.render.form import header
from bot.render.text import Translator
from bot.services.reads import Seen
from flows.case import Case
from flows.policy import can_act, can_do_action, can_read
from flows.route import Route

STATIC = "/app/static"
BACK = N_("webapp.back")


def layout(
    title: str, body: str, *, t: Translator, telegram_script: str | None, back: str | None = None
) -> str:
    """A whole page. `telegram_script`: the URL of telegram-web-app.js (Telegram's, or the emulator's
    stand-in), None for pages that need no script."""
    scripts = ""
    if telegram_script is not None:
        scripts = (
            f'<script src="{html.escape(telegram_script)}"></script>'
            f'<script src="{STATIC}/app.js" defer></script>'
        )
    label = html.escape(t.raw(BACK), quote=True)
    nav = f'<nav><a href="{html.escape(back)}" aria-label="{label}">←</a></nav>' if back else ""
    lang = t.locale
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="stylesheet" href="{STATIC}/app.css">{scripts}</head>'
        f'<body><a class="skip" href="#main">{html.escape(title)}</a>{nav}'
        f'<main id="main">{body}</main></body></html>'
    )


def case_href(ref: str) -> str:
    return f"/app/case?ref={quote(ref)}"


def dossier(
    t: Translator,
    seen: Seen,
    school_name: str,
    naming: str | None,
    names: Mapping[int, str],
) -> str:
    """The case as its reader may see it: header, status, the recorded answers per step (only the steps
    the policy lets this reader read), the timeline and who takes part."""
    case, route, actor = seen.case, seen.route, seen.actor
    step = route.step(case.step)
    route_name = route.name.get(t.locale, route.name["nl"])
    work = ""
    if case.is_open and can_act(actor, case, route, case.step):  # the step's form, on one screen
        href = f"/app/step?ref={quote(case.ref)}&step={quote(case.step)}"
        work = f'<p><a class="button" href="{html.escape(href)}">{t("case.work_on", step=step.title)}</a></p>'
    parts = [
        f"<h1>{header(t, case).strip()}</h1>{work}{_actions(t, seen)}",
        f"<p>{html.escape(school_name)} · {html.escape(route_name)}</p>",
        f"<p>{t('case.status', status=STATUS[case.status], step=step.title)}</p>",
    ]
    if case.consent is not None:
        status = CONSENT.get(case.consent.status, case.consent.status)
        parts.append(f"<p>{t('case.consent', status=status, on=t.date(case.consent.on))}</p>")
    if case.regiehouder:
        parts.append(f"<p>{t('case.regiehouder', role=role_msgid(case.regiehouder, naming))}</p>")
    recorded = []
    for sid, one in route.steps.items():
        lines = recorded_lines(
            t, route, case, sid, readable=lambda s: can_read(actor, case, route, s), names=names
        )
        if lines:
            items = "".join(f"<li>{line.removeprefix('• ')}</li>" for line in lines)
            recorded.append(f"<h3>{t.param(one.title)}</h3><ul>{items}</ul>")
    if recorded:
        parts.append(f"<section><h2>{t('case.recorded')}</h2>{''.join(recorded)}</section>")
    timeline = []
    for entry in case.timeline:
        who = t.raw(role_msgid(entry.role, naming)) if entry.role else t("case.system")
        what = t.param(route.steps[entry.step].title if entry.step in route.steps else entry.step)
        timeline.append(f"<li><time>{t.datetime(entry.at)}</time> — {who}: {what}</li>")
    parts.append(f"<section><h2>{t('case.timeline')}</h2><ol>{''.join(timeline)}</ol></section>")
    people = sorted({p.member_id for p in case.participants})
    if people:
        items = "".join(f"<li>{html.escape(names.get(m, f'#{m}'))}</li>" for m in people)
        heading = t("webapp.participants")  # outside the f-string: Babel does not look inside one
        parts.append(f"<section><h2>{heading}</h2><ul>{items}</ul></section>")
    return "".join(parts)


def case_list(t: Translator, title: str, empty: str, items: Sequence[Seen]) -> str:
    """One list (/mijn, /lijst, /signalen) as links to each case's dossier."""
    if not items:
        return f"<section><h2>{t(title, n=0)}</h2><p>{t(empty)}</p></section>"
    rows = []
    for seen in items:
        case = seen.case
        mark = "❗ " if case.priority == "first" else ""
        pupil = html.escape(case.pupil.label) if case.pupil else "—"
        step = t.raw(seen.route.step(case.step).title)
        rows.append(
            f'<li><a href="{html.escape(case_href(case.ref))}">{mark}<b>{html.escape(case.ref)}</b> · '
            f"{pupil} — {step}</a></li>"
        )
    return f'<section><h2>{t(title, n=len(items))}</h2><ul class="cases">{"".join(rows)}</ul></section>'


def lists_nav(t: Translator, here: str) -> str:
    """The lists' own navigation: what waits for me and the VOT list, and the signals (the chat's
    /mijn + /lijst and /signalen); the page shown is marked, not linked."""
    links = []
    for href, msgid in (("/app/lists", N_("webapp.nav_lists")), ("/app/signals", N_("webapp.nav_signals"))):
        label = t(msgid)
        if href == here:
            links.append(f'<li><span aria-current="page">{label}</span></li>')
        else:
            links.append(f'<li><a href="{href}">{label}</a></li>')
    name = html.escape(
        t.raw(N_("webapp.nav")), quote=True
    )  # outside the f-string: Babel does not look inside
    return f'<nav class="lists" aria-label="{name}"><ul>{"".join(links)}</ul></nav>'


def message(t: Translator, msgid: str) -> str:
    return message_text(t(msgid))


def message_text(text: str) -> str:
    return f'<p role="alert">{text}</p>'


def _actions(t: Translator, seen: Seen) -> str:
    """The case actions this reader may take now, as the chat's buttons under /zaak (posted forms)."""
    case, route, actor = seen.case, seen.route, seen.actor
    if not case.is_open:
        return ""
    forms = [
        _post("/app/action", {"ref": case.ref, "step": case.step, "action": action.id}, t.raw(action.label))
        for action in route.actions.values()
        if can_do_action(actor, case, route, action, case.step)
    ]
    return f'<div class="actions">{"".join(forms)}</div>' if forms else ""


def action_confirm(t: Translator, case: Case, route: Route, step: str, action_id: str, who: str) -> str:
    """An action that alerts others, asked first (the chat's "Weet je het zeker?")."""
    action = route.actions.get(action_id)
    label = t.raw(action.label) if action else ""
    fields = {"ref": case.ref, "step": step, "action": action_id, "sure": "1"}
    sure, yes, no = t("action.confirm", who=who), t("action.confirm_yes"), t("action.confirm_no")
    return (
        f"<h1>{header(t, case).strip()}</h1><h2>{label}</h2><p>{sure}</p>"
        + _post("/app/action", fields, yes)
        + f'<p><a class="button secondary" href="{html.escape(case_href(case.ref))}">{no}</a></p>'
    )


def school_choice(t: Translator, schools: Sequence[tuple[int, str]]) -> str:
    """Which school a signal is for, when the member may start one at more than one."""
    items = "".join(
        f'<li><a class="button" href="/app/signal?school={sid}">{html.escape(name)}</a></li>'
        for sid, name in schools
    )
    title = t("signal.pick_school")
    return f'<h1>{title}</h1><ul class="cases">{items}</ul>'


def to_case(t: Translator, ref: str) -> str:
    label = t("webapp.to_case", ref=ref)  # outside the f-string: Babel does not look inside one
    return f'<p><a class="button" href="{html.escape(case_href(ref))}">{label}</a></p>'


def _post(action: str, fields: Mapping[str, str], label: str) -> str:
    kept = "".join(
        f'<input type="hidden" name="{html.escape(k, quote=True)}" value="{html.escape(v, quote=True)}">'
        for k, v in fields.items()
    )
    target = html.escape(action, quote=True)
    return f'<form method="post" action="{target}">{kept}<button type="submit">{label}</button></form>'
