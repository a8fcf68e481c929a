"""Golden transcripts: every route's conversations, replayed through the real bot and emulator with a
fixed clock and ids, must produce exactly the recorded replies, events and final cases.

Rewrite them only on purpose — `pytest tests/golden --update-golden` — and review the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.transcript import Transcript, run_transcript

HERE = Path(__file__).parent
TRANSCRIPTS = sorted(HERE.glob("*/*.yaml"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_transcript_matches_golden(path: Path, database_url: str, update_golden: bool) -> None:
    record = await run_transcript(Transcript.load(path), database_url)
    rendered = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    golden = path.with_suffix(".golden.json")
    if update_golden and "sqlite" in database_url:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file for {path.name}: run pytest {HERE} --update-golden and review it"
    assert json.loads(rendered) == json.loads(golden.read_text(encoding="utf-8"))


def test_every_shipped_route_has_golden_transcripts() -> None:
    from flows.registry import builtin_registry

    covered = {Transcript.load(p).route for p in TRANSCRIPTS}
    assert set(builtin_registry().ids()) <= covered
