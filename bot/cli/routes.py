"""`zorgroute routes list|check|draw`: the routes the bot carries, checked and drawn from their files.

None of these touch the database: a region can check and draw a route change on a laptop."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import CliError

FORMATS = ("svg", "png", "pdf", "mermaid")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("routes", help="the routes: list, check, draw")
    commands = parser.add_subparsers(dest="routes_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="every shipped route: id, version, name, region, kinds, steps")
    listing.add_argument("--json", action="store_true", help="a JSON array")
    listing.set_defaults(func=_list)
    check = commands.add_parser("check", help="validate route files and their texts in every catalog")
    check.add_argument("files", nargs="*", type=Path, help="route files (default: the shipped ones)")
    check.set_defaults(func=_check)
    draw = commands.add_parser("draw", help="draw a route's map (the routekaart)")
    draw.add_argument("route", help="route id, e.g. rotterdam_po")
    draw.add_argument("--format", choices=FORMATS, required=True)
    draw.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    draw.add_argument("--lang", choices=("nl", "en"), default="nl")
    draw.add_argument("--naming", default=None, help="a school's role names, e.g. capelle")
    draw.set_defaults(func=_draw)


def _list(args: argparse.Namespace) -> int:
    from flows.registry import builtin_registry

    routes: list[dict[str, Any]] = [
        {
            "id": r.id,
            "version": r.version,
            "name": {"nl": r.name["nl"], "en": r.name["en"]},
            "region": r.region,
            "school_kinds": list(r.school_kinds),
            "steps": len(r.steps),
        }
        for r in builtin_registry().current()
    ]
    if args.json:
        print(json.dumps(routes, ensure_ascii=False, indent=2))
        return 0
    for r in routes:
        kinds, region = "/".join(r["school_kinds"]), r["region"] or "-"
        print(f"{r['id']}\tv{r['version']}\t{kinds}\t{r['steps']} steps\t{region}\t{r['name']['nl']}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from bot.services.route_check import check_route_file, check_route_text
    from flows.loader import RouteError, builtin_route_files

    try:
        if args.files:
            checked = [check_route_file(path).id for path in args.files]
        else:
            files = sorted(builtin_route_files().items())
            checked = [check_route_text(text, f"flows/routes/{name}").id for name, text in files]
    except (RouteError, OSError) as exc:
        raise CliError(str(exc)) from None
    print(f"{len(checked)} route(s) OK: {', '.join(checked)}")
    return 0


def _draw(args: argparse.Namespace) -> int:
    from bot.i18n import NAMINGS, make_i18n
    from bot.render.routekaart import RoutekaartUnavailable, map_labels, render
    from flows.registry import UnknownRoute, builtin_registry

    if args.naming is not None and args.naming not in NAMINGS:
        raise CliError(f"unknown naming {args.naming!r}; known: {', '.join(NAMINGS)}")
    try:
        route = builtin_registry().latest(args.route)
    except UnknownRoute as exc:
        raise CliError(f"{exc}; known routes: {', '.join(builtin_registry().ids())}") from None
    labels = map_labels(make_i18n(args.lang), args.lang, args.naming)
    try:
        data = render(route, labels, args.lang, args.format).data
        args.output.write_bytes(data)
    except RoutekaartUnavailable as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"{args.output}: {route.id} v{route.version}, {len(data)} bytes", file=sys.stderr)
    return 0
