"""The route report as a chat message (/overzicht): the same figures as `zorgroute report`, in the member's
language. Steps and milestones are named by their msgids; counts may be "< 5" at region level."""

from __future__ import annotations

from bot.render.text import Translator
from flows.msgids import N_
from flows.registry import RouteRegistry
from flows.report import Report, RouteFigures, Stat

WITHHELD, NO_DATA, DAYS, NONE_CLOSED = (
    N_("report.withheld"),
    N_("report.no_data"),
    N_("report.days"),
    N_("report.none_closed"),
)
# The chart's texts: the lead-time panel, the open-work panel, its axis.
CHART_TITLES = (N_("report.chart_lead"), N_("report.chart_open"), N_("report.chart_days"))


def report_text(t: Translator, report: Report, scope_name: str, routes: RouteRegistry) -> str:
    lines = [t("report.title", scope=scope_name), t("report.explain")]
    if report.small_cells:
        lines.append(t("report.small_cells"))
    if not report.routes:
        lines += ["", t("report.none")]
    for figures in report.routes:
        lines += ["", *_route_lines(t, figures, routes)]
    return "\n".join(lines)


def _route_lines(t: Translator, figures: RouteFigures, routes: RouteRegistry) -> list[str]:
    route = routes.latest(figures.route_id)
    name = route.name.get(t.locale, route.name["nl"])
    lines = [t("report.route", route=name, cases=figures.cases), t("report.open_heading")]
    busy = [s for s in figures.steps if s.open != 0 or s.overdue != 0]
    for step in busy:
        days = days_text(t, step.waiting_school_days, step.waiting_calendar_days)
        lines.append(t("report.open_line", step=step.title, open=step.open, overdue=step.overdue, days=days))
    if not busy:
        lines.append(t("report.nothing_open"))
    lines.append(t("report.lead_heading"))
    for lead in figures.lead_times:
        days = days_text(t, lead.school_days, lead.calendar_days)
        lines.append(t("report.lead_line", milestone=lead.label, reached=lead.reached, days=days))
    consent = dict(figures.consent)
    lines.append(
        t(
            "report.consent",
            given=consent["given"],
            refused=consent["refused"],
            unreachable=consent["unreachable"],
        )
    )
    lines.append(t("report.safety", safety=figures.safety, meldcode=figures.meldcode))
    closed = ", ".join(
        f"{t.raw(route.steps[o].title) if o in route.steps else o} {n}" for o, n in figures.outcomes
    )
    lines.append(t("report.closed", outcomes=closed or t.raw(NONE_CLOSED)))
    return lines


def days_text(t: Translator, school: Stat, calendar: Stat) -> str:
    if school.withheld:
        return t.raw(WITHHELD)
    if school.median is None:
        return t.raw(NO_DATA)
    return t.raw(DAYS).format(school=_three(school), calendar=_three(calendar))


def _three(stat: Stat) -> str:
    return " / ".join(f"{v:g}" for v in (stat.median, stat.p90, stat.max) if v is not None)
