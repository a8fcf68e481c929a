"""`zorgroute audit --case REF | --member ID`: the audit trail as CSV or JSON. Reading it is audited."""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import io
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.common import settings_from_env

if TYPE_CHECKING:
    from storage.repositories.audit import AuditEntry


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="export the audit trail of a case or a member")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--case", metavar="REF", help="a case reference, e.g. Z-0001")
    which.add_argument("--member", type=int, metavar="ID", help="a member id (zorgroute member list)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.set_defaults(func=_audit)


async def _entries(args: argparse.Namespace) -> list[AuditEntry]:
    from bot.cli.unit import open_uow
    from bot.services.audit import CLI, AuditTrail

    async with open_uow(settings_from_env()) as uow:
        if args.case:
            entries = await uow.audit.for_case([args.case.strip().upper()])
        else:
            entries = await uow.audit.for_member(args.member)
        what = f"case {args.case.strip().upper()}" if args.case else f"member {args.member}"
        trail = AuditTrail(uow, args.clock, member=None, channel=CLI, via="audit")
        await trail.admin("audit-read", detail=f"{what} as {args.format}")
        await uow.commit()
    return entries


def _audit(args: argparse.Namespace) -> int:
    from storage.repositories.audit import AuditEntry

    entries = asyncio.run(_entries(args))
    if args.format == "json":
        print(json.dumps([e.as_dict() for e in entries], ensure_ascii=False, indent=2))
        return 0
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f.name for f in dataclasses.fields(AuditEntry)])
    writer.writeheader()
    for entry in entries:
        writer.writerow(entry.as_dict())
    sys.stdout.write(out.getvalue())
    return 0
