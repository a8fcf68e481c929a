"""The signalling teacher is told how her signal goes, on every shipped route, without family details.

Two generic updates come from the engine for every route (picked up: the first step someone else
submits; closed). The rest are declared in the route files as `status: <msgid>` effects where the route
says them: on the VOT list, consent given or refused, escalated, the Meldcode entered. These tests read the
shipped routes and replay every engine golden scenario (tests/golden/engine), so a route that gains a
consent step, a Meldcode hand-over or an escalation without telling the signaller fails here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from flows.participants import SIGNALLED
from flows.registry import builtin_registry
from flows.route import Effect, Route
from tests.golden.engine_runner import Scenario, run_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((Path(__file__).parent / "engine").glob("*/*.yaml"))

GENERIC = {"status.picked_up", "status.closed"}
DECLARED = {
    "status.on_vot_list",
    "status.consent_given",
    "status.consent_given_vot",
    "status.consent_refused",
    "status.escalated",
    "status.meldcode",
}
CONSENT = {"status.consent_given", "status.consent_given_vot", "status.consent_refused"}
# What each shipped route tells the signaller besides the generic two (the Meldcode is a sub-route: the
# route that hands a case to it says so).
EXPECTED: dict[str, set[str]] = {
    "vlaardingen": {
        "status.on_vot_list",
        "status.consent_given_vot",
        "status.consent_refused",
        "status.escalated",
        "status.meldcode",
    },
    "mvs_po": {
        "status.on_vot_list",
        "status.consent_given",
        "status.consent_refused",
        "status.escalated",
        "status.meldcode",
    },
    "rotterdam_po": {"status.consent_given", "status.consent_refused", "status.escalated", "status.meldcode"},
    "rotterdam_vo": {"status.consent_given", "status.consent_refused", "status.escalated", "status.meldcode"},
    "smwplus": {"status.consent_given", "status.consent_refused", "status.escalated", "status.meldcode"},
    "meldcode": set(),
}


def _transitions(route: Route) -> list[tuple[str, str | None, tuple[Effect, ...]]]:
    return [(step.id, t.to, t.effects) for step in route.steps.values() for t in step.transitions]


def _declared(effects: tuple[Effect, ...]) -> set[str]:
    return {str(e.args) for e in effects if e.kind == "status"}


def test_every_shipped_route_declares_its_status_updates() -> None:
    registry = builtin_registry()
    assert set(registry.ids()) == set(EXPECTED), "a shipped route without its expected status updates"
    for route_id in registry.ids():
        route = registry.get(route_id)
        declared = set().union(*(_declared(e) for _, _, e in _transitions(route)))
        declared |= set().union(*(_declared(a.effects) for a in route.actions.values()))
        assert declared == EXPECTED[route_id], route_id


@pytest.mark.parametrize("route_id", sorted(EXPECTED))
def test_consent_and_the_meldcode_are_always_told(route_id: str) -> None:
    """Every way a route records a consent decision and moves on, and every hand-over to the Meldcode,
    tells the signaller."""
    route = builtin_registry().get(route_id)
    for step_id, to, effects in _transitions(route):
        kinds = {e.kind for e in effects}
        if "enter_route" in kinds:
            assert "status.meldcode" in _declared(effects), f"{route_id}.{step_id} enters the Meldcode unsaid"
        elif "record_consent" in kinds and to not in (None, step_id):
            assert _declared(effects) & CONSENT, (
                f"{route_id}.{step_id} → {to} records consent without telling the signaller"
            )


def _status_events(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e
        for call in result["calls"]
        for e in call["events"]
        if e["type"] == "Notify" and not e["roles"] and e.get("participants") == [SIGNALLED]
    ]


def _by_another(entry: dict[str, Any], signaller: int) -> bool:
    return bool(entry["action"] == "submitted" and entry["member"] != signaller)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_signaller_hears_picked_up_and_closed_and_nothing_else(path: Path) -> None:
    scenario = Scenario.load(path)
    result = run_scenario(scenario)
    statuses = _status_events(result)
    messages = [e["message"] for e in statuses]
    # Only status messages, with no buttons (a route's own notice to the signaller names roles too).
    assert set(messages) <= GENERIC | DECLARED
    assert all("actions" not in e and "step" not in e for e in statuses)
    cases = result["cases"]
    signaller = {c["ref"]: scenario.actors[c["who"]].member_id for c in scenario.calls if "start" in c}
    picked_up = [c for c in cases if any(_by_another(e, signaller[c["ref"]]) for e in c["timeline"])]
    assert messages.count("status.picked_up") == len(picked_up)
    if any(c["status"] == "closed" for c in cases):
        assert "status.closed" in messages


def test_the_scenarios_say_every_declared_update_somewhere() -> None:
    """The declared updates are not only in the files: the golden scenarios reach each of them."""
    heard = {e["message"] for p in SCENARIOS for e in _status_events(run_scenario(Scenario.load(p)))}
    assert heard >= GENERIC | DECLARED, sorted(GENERIC | DECLARED - heard)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_status_texts_carry_no_details(language: str) -> None:
    """A status text has no placeholder: nothing of the case (answers, names, family) can be put in it."""
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    texts = {str(m.id): str(m.string) for m in catalog if isinstance(m.id, str) and m.id.startswith("status")}
    assert set(texts) >= GENERIC | DECLARED
    for msgid in GENERIC | DECLARED:
        assert texts[msgid] and "{" not in texts[msgid], msgid
