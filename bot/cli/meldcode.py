"""`zorgroute meldcode report REF [--json] [--lang nl|en]`: the Meldcode record of case REF — the five
steps with their dates and who decided, and the timeline of choices and dates — to show the Inspectie or
Veilig Thuis that the school followed its Meldcode. No free text. Every report is audited."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, settings_from_env

if TYPE_CHECKING:
    from flows.meldcode_record import MeldcodeRecord


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "meldcode", help="the Meldcode record of a case (steps, dates, who decided)"
    )
    commands = parser.add_subparsers(dest="meldcode_command", required=True, metavar="ACTION")
    report = commands.add_parser("report", help="the five steps of case REF with dates and decision-makers")
    report.add_argument("ref")
    report.add_argument("--json", action="store_true", help="as JSON (value ids, ISO moments)")
    report.add_argument("--lang", choices=("nl", "en"), default="nl")
    report.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow
    from bot.services.audit import CLI, AuditTrail
    from bot.services.meldcode import MeldcodeError, meldcode_report
    from flows.meldcode_record import MELDCODE, record_as_dict
    from flows.registry import builtin_registry

    settings = settings_from_env()
    routes = builtin_registry()

    async def go() -> tuple[MeldcodeRecord, str | None]:
        async with open_uow(settings) as uow:
            trail = AuditTrail(uow, args.clock, member=None, channel=CLI, via="meldcode report")
            try:
                record = await meldcode_report(uow, routes, args.ref, trail)
            except MeldcodeError as exc:
                raise CliError(str(exc)) from None
            school = await uow.schools.get(record.school_id)
            await uow.commit()
            return record, school.naming if school else None

    record, naming = asyncio.run(go())
    if args.json:
        print(json.dumps(record_as_dict(record), ensure_ascii=False, indent=2))
        return 0
    from bot.i18n import make_i18n
    from bot.render.meldcode_record import record_text
    from bot.render.text import Translator

    t = Translator(make_i18n(args.lang), args.lang, record.timezone)
    print(record_text(t, routes.get(MELDCODE, record.meldcode_version), record, naming), end="")
    return 0
