"""A Meldcode record (flows/meldcode_record.py) as plain text in one language: the five steps first (taken,
skipped and why, open, not reached; when and by whom), then the timeline with the choices and dates that
were recorded. For the command line, so no HTML: names are shown as they are."""

from __future__ import annotations

import html
from typing import Any

from bot.msgids import role_msgid
from bot.render.case_view import field_label
from bot.render.text import Translator
from flows.meldcode_record import Decider, MeldcodeRecord, RecordLine, StepRecord
from flows.route import Field, Route

# The step each of the five is named after (its title in the catalogs).
FIVE_TITLES = {1: "mc_signalen", 2: "mc_collegiaal", 3: "mc_gesprek", 4: "mc_wegen", 5: "mc_besluit"}


def record_text(t: Translator, meldcode: Route, record: MeldcodeRecord, naming: str | None = None) -> str:
    lines = [t("meldcode.report.title", ref=record.ref, pupil=record.pupil or "—")]
    if record.entered_from:
        lines.append(t("meldcode.report.from_route", route=record.entered_from))
    else:
        lines.append(t("meldcode.report.started_alone"))
    if record.started_at is not None:
        lines.append(t("meldcode.report.started_at", at=t.datetime(record.started_at)))
    if record.status == "running":
        lines.append(t("meldcode.report.running"))
    elif record.outcome in meldcode.steps:
        lines.append(t("meldcode.report.closed", outcome=t.raw(meldcode.step(record.outcome).title)))
    lines.append(t("meldcode.report.reports", count=str(record.reports)))
    lines += ["", t("meldcode.report.steps")]
    lines += [_step_line(t, meldcode, s, naming) for s in record.steps]
    lines += ["", t("meldcode.report.timeline")]
    for entry in record.lines:
        lines += _timeline_lines(t, meldcode, entry, naming, record.entered_from or "")
    return html.unescape("\n".join(lines)) + "\n"


def _step_line(t: Translator, meldcode: Route, step: StepRecord, naming: str | None) -> str:
    title = t.raw(meldcode.step(FIVE_TITLES[step.number]).title)
    by = ", ".join(_who(t, d, naming) for d in step.by)
    on = t.date(step.at.astimezone(t.tz).date()) if step.at else ""
    if step.state == "taken":
        state = t("meldcode.report.taken", on=on, by=by)
    elif step.state == "skipped" and step.reason == "danger":
        state = t("meldcode.report.skipped_danger", on=on, by=by)
    elif step.state == "skipped":
        state = t("meldcode.report.skipped_acute", on=on, by=by)
    elif step.state == "open":
        state = t("meldcode.report.open")
    else:
        state = t("meldcode.report.not_reached")
    return f"  {title}: {state}"


def _timeline_lines(
    t: Translator, meldcode: Route, entry: RecordLine, naming: str | None, caller: str
) -> list[str]:
    who = t("case.system") if entry.by is None else _who(t, entry.by, naming)
    if entry.action == "entered":
        what = t("meldcode.report.entered", route=caller)
    elif entry.action == "returned":
        what = t("meldcode.report.returned")
    else:
        what = t.raw(meldcode.step(entry.step).title)
        if entry.action.startswith("action:") and entry.action[7:] in meldcode.actions:
            what += " — " + t.raw(meldcode.actions[entry.action[7:]].label)
        elif entry.action.startswith("follow_up:"):
            what += " — " + t("case.entry_follow_up")
        elif entry.action == "corrected":
            what += " — " + t("meldcode.report.corrected")
    out = [f"  • {t.datetime(entry.at)} — {who}: {what}"]
    if entry.action in ("submitted", "corrected"):
        fields = {f.id: f for f in meldcode.step(entry.step).fields}
        for field_id, value in entry.values.items():
            if field_id in fields:
                f = fields[field_id]
                out.append(f"      {field_label(t, f)} {_value(t, f, value)}")
    return out


def _value(t: Translator, f: Field, value: Any) -> str:
    labels = {o.value: o.label for o in f.options}
    if f.kind == "date":
        return t.date(str(value))
    if f.kind == "multi":
        return ", ".join(t.param(labels.get(v, v)) for v in value)
    return t.param(labels.get(value, value))


def _who(t: Translator, d: Decider, naming: str | None) -> str:
    role = t.raw(role_msgid(d.role, naming)) if d.role else ""
    if d.name and role:
        return f"{d.name} ({role})"
    return d.name or role or t("case.system")
