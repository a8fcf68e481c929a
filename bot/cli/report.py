"""`zorgroute report --school ID | --route ID | --region NAME [--from DATE --to DATE] [--json | --csv]`:
how the route runs, in aggregates only (docs/report.md explains each figure). Every report is audited."""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import io
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, settings_from_env

if TYPE_CHECKING:
    from bot.services.report import ReportRequest
    from flows.report import Cell, Report, Stat

CSV_FIELDS = (
    "route",
    "section",
    "item",
    "count",
    "overdue",
    "median_school_days",
    "p90_school_days",
    "max_school_days",
    "median_days",
    "p90_days",
    "max_days",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="open work, overdue steps and lead times (aggregates only)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--school", metavar="ID", help="one school (zorgroute school list)")
    which.add_argument("--route", metavar="ROUTE_ID", help="one route across the schools that run it")
    which.add_argument("--region", metavar="NAME", help="the schools counted on this calendar region")
    parser.add_argument("--from", dest="since", type=date.fromisoformat, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="until", type=date.fromisoformat, metavar="YYYY-MM-DD")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_const", dest="format", const="json")
    form.add_argument("--csv", action="store_const", dest="format", const="csv")
    parser.set_defaults(func=_report, format="text")


def request_from(args: argparse.Namespace) -> ReportRequest:
    from bot.services.report import ReportRequest

    if args.since and args.until and args.until < args.since:
        raise CliError("--to is before --from")
    if args.school is not None:
        return ReportRequest("school", str(args.school), args.since, args.until)
    if args.route is not None:
        return ReportRequest("route", args.route, args.since, args.until)
    return ReportRequest("region", args.region, args.since, args.until)


async def _build(args: argparse.Namespace) -> Report:
    from bot.cli.unit import open_uow
    from bot.services.audit import CLI, AuditTrail
    from bot.services.report import ReportScopeError, route_report
    from flows.registry import builtin_registry

    request = request_from(args)
    settings = settings_from_env()
    async with open_uow(settings) as uow:
        try:
            report = await route_report(uow, builtin_registry(), request, args.clock.now(), settings.timezone)
        except ReportScopeError as exc:
            raise CliError(str(exc)) from None
        school_id = int(request.scope) if request.level == "school" else None
        trail = AuditTrail(uow, args.clock, member=None, channel=CLI, via="report")
        await trail.report(
            level=request.level, scope=request.scope, school_id=school_id, detail=_period(report)
        )
        await uow.commit()
    return report


def _report(args: argparse.Namespace) -> int:
    report = asyncio.run(_build(args))
    if args.format == "json":
        print(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(as_csv(report))
    else:
        sys.stdout.write(as_text(report))
    return 0


def _period(report: Report) -> str:
    since, until = report.period
    return f"{since or '…'}..{until or '…'}"


def as_json(report: Report) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["period"] = {"from": _iso(report.period[0]), "to": _iso(report.period[1])}
    data["as_of"] = report.as_of.isoformat()
    for route in data["routes"]:
        route["consent"] = dict(route["consent"])
        route["outcomes"] = dict(route["outcomes"])
    return data


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _stat(stat: Stat) -> list[str]:
    if stat.withheld:
        return ["< 5"] * 3
    return ["" if v is None else f"{v:g}" for v in (stat.median, stat.p90, stat.max)]


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for route in report.routes:
        writer.writerow([route.route_id, "cases", "signalled", route.cases, "", *[""] * 6])
        for step in route.steps:
            writer.writerow(
                [
                    route.route_id,
                    "open",
                    step.step,
                    step.open,
                    step.overdue,
                    *_stat(step.waiting_school_days),
                    *_stat(step.waiting_calendar_days),
                ]
            )
        for lead in route.lead_times:
            row = [route.route_id, "lead_time", lead.milestone, lead.reached, ""]
            writer.writerow([*row, *_stat(lead.school_days), *_stat(lead.calendar_days)])
        counts: list[tuple[str, str, Cell]] = [
            *(("consent", status, n) for status, n in route.consent),
            ("safety", "safety_route", route.safety),
            ("safety", "meldcode", route.meldcode),
            *(("closed", outcome, n) for outcome, n in route.outcomes),
        ]
        for section, item, n in counts:
            writer.writerow([route.route_id, section, item, n, "", *[""] * 6])
    return out.getvalue()


def as_text(report: Report) -> str:
    lines = [
        f"Report: {report.level} {report.scope}, cases signalled {_period(report)}, "
        f"as of {report.as_of:%Y-%m-%d %H:%M} UTC",
        "Days are school days on each school's calendar (calendar days in brackets): median / p90 / max.",
    ]
    if report.small_cells:
        lines.append('Counts of 1 to 4 are shown as "< 5", and so are figures over fewer than 5 cases.')
    for route in report.routes:
        lines += [
            "",
            f"Route {route.route_id}: {route.cases} cases",
            "  Open work per step (overdue follow-ups):",
        ]
        for step in route.steps:
            if step.open == 0 and step.overdue == 0:
                continue
            lines.append(
                f"    {step.step:<20} {step.open!s:>5} open, {step.overdue!s:>4} overdue  waiting "
                f"{_days(step.waiting_school_days, step.waiting_calendar_days)}"
            )
        lines.append("  Lead times from the signal:")
        for lead in route.lead_times:
            lines.append(
                f"    → {lead.milestone:<18} {lead.reached!s:>5} reached  "
                f"{_days(lead.school_days, lead.calendar_days)}"
            )
        consent = ", ".join(f"{status} {n}" for status, n in route.consent)
        lines.append(f"  Consent: {consent}")
        lines.append(
            f"  Safety route: {route.safety}, Meldcode (safety + family unreachable): {route.meldcode}"
        )
        closed = ", ".join(f"{o} {n}" for o, n in route.outcomes) or "none"
        lines.append(f"  Closed per outcome: {closed}")
    if not report.routes:
        lines += ["", "No signalled cases."]
    return "\n".join(lines) + "\n"


def _days(school: Stat, calendar: Stat) -> str:
    a, b = _stat(school), _stat(calendar)
    if not any(a):
        return "-"
    return f"{' / '.join(a)} ({' / '.join(b)})"
