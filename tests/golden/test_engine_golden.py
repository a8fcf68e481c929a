"""Golden scenarios at the engine: every route's branches, refusals and follow-ups, replayed call by
call through `Engine.start`/`Engine.advance` (tests/golden/engine_runner.py), must produce exactly the
recorded events and final cases. No database and no bot, so they run once and in milliseconds; the bot
end to end keeps one transcript per route (test_golden.py).

Rewrite them only on purpose — `pytest tests/golden --update-golden` — and review the diff."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from flows.registry import builtin_registry
from tests.golden.engine_runner import Scenario, run_scenario

HERE = Path(__file__).parent / "engine"
SCENARIOS = sorted(HERE.glob("*/*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_matches_golden(path: Path, update_golden: bool) -> None:
    rendered = _render(run_scenario(Scenario.load(path)))
    golden = path.with_suffix(".golden.json")
    if update_golden:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file for {path.name}: run pytest {HERE.parent} --update-golden"
    expected = golden.read_text(encoding="utf-8")
    if rendered != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                rendered.splitlines(keepends=True),
                fromfile=f"{golden.name} (golden)",
                tofile=f"{golden.name} (engine now)",
            )
        )
        pytest.fail(f"{path.parent.name}/{path.stem} differs from its golden file:\n{diff}", pytrace=False)


@pytest.mark.parametrize(
    "path",
    [p for p in SCENARIOS if (HERE.parent / p.parent.name / f"{p.stem}.golden.json").exists()],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_the_bot_ends_with_the_cases_the_engine_ends_with(path: Path) -> None:
    """Where a route also runs end to end (test_golden.py), both golden files agree on the final cases:
    the engine-level scenario was recorded from that run, and neither may drift from the other."""
    bot_level = HERE.parent / path.parent.name / f"{path.stem}.golden.json"
    expected = json.loads(bot_level.read_text(encoding="utf-8"))["cases"]
    assert run_scenario(Scenario.load(path))["cases"] == expected


def test_every_shipped_route_has_golden_transcripts() -> None:
    """Each shipped route has engine-level scenarios, and each scenario is filed under its route."""
    scenarios = [(p, Scenario.load(p)) for p in SCENARIOS]
    assert all(s.route == p.parent.name for p, s in scenarios), "a scenario is filed under the wrong route"
    assert set(builtin_registry().ids()) <= {s.route for _, s in scenarios}


def _render(record: dict[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
