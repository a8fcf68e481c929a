"""A step's form on one screen, and the summary to confirm, as HTML. Labels and options come from the
route (catalog msgids); values a member typed are escaped. Validation is the engine's (bot/webapp/
steps.py feeds the answers in); this only draws the fields."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from bot.render.form import header
from bot.render.text import Translator
from flows import events as ev
from flows.case import Case
from flows.route import Field, Route


def step_form(
    t: Translator,
    route: Route,
    case: Case,
    step_id: str,
    given: Mapping[str, Sequence[str]],
    candidates: Mapping[str, Sequence[tuple[int, str]]],
    error: str = "",
) -> str:
    step = route.step(step_id)
    heading = header(t, case, step.title).strip()
    hidden = {"ref": case.ref, "step": step_id}
    return fields_form(t, heading, "/app/step", hidden, step.fields, given, candidates, error)


def signal_form(
    t: Translator,
    route: Route,
    school: tuple[int, str],
    given: Mapping[str, Sequence[str]],
    candidates: Mapping[str, Sequence[tuple[int, str]]],
    error: str = "",
) -> str:
    """The route's start step before there is a case: every question of the signal on one screen."""
    step = route.step(route.start.step)
    heading = f"{t.raw(step.title)} · {html.escape(school[1])}"
    hidden = {"school": str(school[0])}
    return fields_form(t, heading, "/app/signal", hidden, step.fields, given, candidates, error)


def fields_form(
    t: Translator,
    heading: str,
    action: str,
    hidden: Mapping[str, str],
    fields: Sequence[Field],
    given: Mapping[str, Sequence[str]],
    candidates: Mapping[str, Sequence[tuple[int, str]]],
    error: str = "",
) -> str:
    alert = f'<p role="alert" class="error">{error}</p>' if error else ""
    drawn = "".join(_field(t, f, given.get(f.id, ()), candidates.get(f.id, ())) for f in fields)
    kept = "".join(
        f'<input type="hidden" name="{html.escape(k, quote=True)}" value="{html.escape(v, quote=True)}">'
        for k, v in hidden.items()
    )
    submit = t("form.done")
    return (
        f"<h1>{heading}</h1>{alert}"
        f'<form method="post" action="{html.escape(action, quote=True)}">{kept}{drawn}'
        f'<button type="submit">{submit}</button></form>'
    )


def _field(t: Translator, field: Field, given: Sequence[str], candidates: Sequence[tuple[int, str]]) -> str:
    name = html.escape(field.id, quote=True)
    label = t.raw(field.prompt)
    required = "" if field.optional else " required"
    if field.kind in ("choice", "multi") or field.kind == "member":
        kind = "checkbox" if field.kind == "multi" or field.multiple else "radio"
        options = (
            [(str(m), html.escape(n)) for m, n in candidates]
            if field.kind == "member"
            else [(o.value, t.raw(o.label)) for o in field.options]
        )
        boxes = "".join(
            f'<label class="option"><input type="{kind}" name="{name}" '
            f'value="{html.escape(value, quote=True)}"{" checked" if value in given else ""}'
            f"{required if kind == 'radio' else ''}> {text}</label>"
            for value, text in options
        )
        return f"<fieldset><legend>{label}</legend>{boxes}</fieldset>"
    value = html.escape(given[0] if given else "", quote=True)
    if field.kind == "date":
        control = f'<input type="date" id="f-{name}" name="{name}" value="{value}"{required}>'
    elif field.kind == "pupil":
        control = (
            f'<input type="text" id="f-{name}" name="{name}" value="{value}" maxlength="64" '
            f'autocomplete="off"{required}>'
        )
    else:
        control = (
            f'<textarea id="f-{name}" name="{name}" maxlength="{field.max_length}" rows="4"{required}>'
            f"{value}</textarea>"
        )
    return f'<p><label for="f-{name}">{label}</label>{control}</p>'


def summary_page(
    t: Translator, case: Case, step_title: str, summary: ev.Summary, names: Mapping[int, str]
) -> str:
    """What the member is about to submit, with confirm and cancel (the chat's summary, as a page)."""
    rows = []
    for prompt, kind, value in summary.values:
        if kind in ("choice", "multi"):
            shown = ", ".join(t.raw(v) for v in value.split(","))
        elif kind == "member":
            shown = html.escape(", ".join(names.get(int(v), "#" + v) for v in value.split(",") if v))
        elif kind == "date":
            shown = t.date(value)
        else:
            shown = html.escape(value)
        rows.append(f"<dt>{t.raw(prompt)}</dt><dd>{shown}</dd>")
    ref, sid = html.escape(case.ref, quote=True), html.escape(summary.step, quote=True)
    confirm, intro = t("form.confirm"), t("form.summary_intro")
    return (
        f"<h1>{header(t, case, step_title).strip()}</h1><p>{intro}</p><dl>{''.join(rows)}</dl>"
        f'<form method="post" action="/app/confirm"><input type="hidden" name="ref" value="{ref}">'
        f'<input type="hidden" name="step" value="{sid}"><button type="submit">{confirm}</button></form>'
        f'<p><a href="/app/step?ref={ref}&amp;step={sid}">←</a></p>'
    )
