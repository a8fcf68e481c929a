"""`zorgroute simulate FILE`: run a transcript against a fresh throwaway database and print what happens
as JSON lines — the same runner the golden tests use, so a region can try a route change without
Telegram. One line per step, engine event, message a person receives, and final case ("line" says which)."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from bot.cli.common import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("simulate", help="run a transcript file; print its events as JSON lines")
    parser.add_argument(
        "file", type=Path, help="a transcript (YAML), e.g. tests/golden/vlaardingen/happy_path.yaml"
    )
    parser.set_defaults(func=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    import tempfile

    from emulator.transcript import Transcript, run_transcript

    if not args.file.is_file():
        raise CliError(f"no such transcript: {args.file}")
    try:
        transcript = Transcript.load(args.file)
    except (KeyError, ValueError, TypeError) as exc:
        raise CliError(f"{args.file}: not a transcript ({exc})") from exc
    # A fresh SQLite file in a temporary folder: nothing of the simulation outlives the command.
    with tempfile.TemporaryDirectory(prefix="zorgroute-sim-") as folder:
        try:
            record = asyncio.run(run_transcript(transcript, f"sqlite+aiosqlite:///{folder}/sim.db"))
        except ValueError as exc:  # e.g. a button the transcript presses that is not there
            raise CliError(f"{args.file}: {exc}") from exc
    for line in as_lines(record):
        print(json.dumps(line, ensure_ascii=False, sort_keys=True))
    return 0


def as_lines(record: dict[str, Any]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for index, step in enumerate(record["steps"], start=1):
        lines.append({"line": "step", "n": index, **step["step"]})
        lines.extend({"line": "event", "n": index, **event} for event in step["events"])
        for person, messages in step["received"].items():
            lines.extend({"line": "message", "n": index, "to": person, **message} for message in messages)
    lines.extend({"line": "case", **case} for case in record["cases"])
    return lines
