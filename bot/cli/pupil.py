"""`zorgroute pupil export REF | erase REF`: a pupil's (and their parents') rights of access and erasure."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.cli.common import CliError, settings_from_env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("pupil", help="subject rights: export or erase everything about a pupil")
    commands = parser.add_subparsers(dest="pupil_command", required=True, metavar="ACTION")
    export = commands.add_parser("export", help="everything about the pupil of case REF, as JSON")
    export.add_argument("ref")
    export.set_defaults(func=_export)
    erase = commands.add_parser("erase", help="erase the pupil of case REF and what was written about them")
    erase.add_argument("ref")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(func=_erase)


def _export(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow
    from bot.services.audit import CLI, AuditTrail
    from bot.services.subject import SubjectError, export_pupil
    from flows.registry import builtin_registry

    settings = settings_from_env()

    async def go() -> dict[str, Any]:
        async with open_uow(settings) as uow:
            trail = AuditTrail(uow, args.clock, member=None, channel=CLI, via="pupil export")
            try:
                exported = await export_pupil(uow, args.ref, trail, builtin_registry())
            except SubjectError as exc:
                raise CliError(str(exc)) from None
            await uow.commit()
            return exported

    print(json.dumps(asyncio.run(go()), ensure_ascii=False, indent=2))
    return 0


def _erase(args: argparse.Namespace) -> int:
    from bot.cli.unit import open_uow
    from bot.services.audit import CLI, AuditTrail
    from bot.services.subject import SubjectError, erase_pupil, find_subject

    settings = settings_from_env()
    ref = args.ref.strip().upper()

    async def describe() -> str:
        async with open_uow(settings) as uow:
            try:
                subject = await find_subject(uow, ref)
            except SubjectError as exc:
                raise CliError(str(exc)) from None
            refs = ", ".join(c.ref for c in subject.cases)
            return f"This erases pupil {subject.pupil.label} and what was written in: {refs}."

    async def erase() -> list[str]:
        async with open_uow(settings) as uow:
            clock = args.clock
            trail = AuditTrail(uow, clock, member=None, channel=CLI, via="pupil erase")
            try:
                erased = await erase_pupil(uow, ref, clock.now(), trail)
            except SubjectError as exc:
                raise CliError(str(exc)) from None
            await uow.commit()
            return erased

    if not args.yes:
        print(asyncio.run(describe()))
        print("Type the reference to confirm: ", end="", flush=True)
        if sys.stdin.readline().strip().upper() != ref:
            raise CliError("not confirmed; nothing was erased")
    print(f"erased: {', '.join(asyncio.run(erase()))}")
    return 0
