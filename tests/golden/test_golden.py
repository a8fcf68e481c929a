"""End to end, one transcript per route: the route's happy path replayed through the real bot and the
Bot API emulator, with a fixed clock and ids, must produce exactly the recorded replies, events and final
case, and no raw message id may reach a chat.

Route behaviour — branches, refusals, follow-ups — is pinned at the engine in milliseconds
(test_engine_golden.py). These few runs prove that the bot carries it: rendering, buttons, outbox and
follow-up scheduling. SQLite only: database behaviour has its own tests on both databases. The other
transcripts in tests/golden/<route>/ stay for `zorgroute simulate` and were the source of the
engine-level scenarios.

Rewrite them only on purpose — `pytest tests/golden --update-golden` — and review the diff."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.transcript import Transcript, run_transcript
from flows.msgids import MSGID_PATTERN

HERE = Path(__file__).parent
# A bare message id on a line of its own means a text is missing from the catalogs.
RAW_MSGID = re.compile(MSGID_PATTERN.pattern, re.MULTILINE)
END_TO_END = sorted(HERE.glob("*/happy_path.yaml"))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", END_TO_END, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_transcript_matches_golden(path: Path, database_url: str, update_golden: bool) -> None:
    record = await run_transcript(Transcript.load(path), database_url)
    untranslated = [text for text in _texts(record) if RAW_MSGID.search(text)]
    assert not untranslated, f"texts missing from the catalogs: {untranslated}"
    rendered = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    golden = path.with_suffix(".golden.json")
    if update_golden:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file for {path.name}: run pytest {HERE} --update-golden and review it"
    assert json.loads(rendered) == json.loads(golden.read_text(encoding="utf-8"))


def test_every_shipped_route_runs_end_to_end() -> None:
    from flows.registry import builtin_registry

    covered = {Transcript.load(p).route for p in END_TO_END}
    assert set(builtin_registry().ids()) <= covered


def _texts(record: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for step in record["steps"]:
        for messages in step["received"].values():
            for message in messages:
                out.extend(str(v) for k, v in message.items() if k in ("text", "alert", "toast"))
                out.extend(b for row in message.get("buttons", []) for b in row)
    return out
