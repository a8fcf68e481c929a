"""The route maps as data: every shipped route's D2 description and Mermaid text name every step, keep
arrow labels short (long conditions become numbered footnotes), and docs/routes.md shows the current maps.
Set UPDATE_ROUTE_DOCS=1 to rewrite the docs' Mermaid blocks from the route files. The layout itself is
checked on the engine's output in tests/test_routekaart_layout.py."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from catalog_texts import catalog_texts, labels

from flows import routekaart as graph
from flows.registry import builtin_registry
from flows.route import Route

ROUTES = builtin_registry().ids()
NEW_ROUTES = ("rotterdam_po", "rotterdam_vo", "mvs_po", "smwplus")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "routes.md"
DOCS_LANGUAGE = "en"
EDGE = re.compile(r'^(\S+) -> (\S+?)(?:: "((?:[^"\\]|\\.)*)")? \{style', re.MULTILINE)
OBJECT = re.compile(r'^(\S+): "((?:[^"\\]|\\.)*)" \{', re.MULTILINE)


def route(route_id: str) -> Route:
    return builtin_registry().latest(route_id)


def objects(source: str) -> dict[str, str]:
    """D2 key -> label (with real newlines)."""
    return {key: text.replace("\\n", "\n").replace('\\"', '"') for key, text in OBJECT.findall(source)}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("route_id", ROUTES)
def test_d2_names_every_step_in_its_roles_lane(route_id: str, language: str) -> None:
    r, say = route(route_id), labels(language)
    source = graph.d2(r, say, language).source
    found = objects(source)
    for step in r.steps.values():
        key = f"s_{step.id}" if step.terminal else f"lane_{step.actors[0]}.s_{step.id}"
        # Wrapped over lines, never cut: every word of the title is on the node.
        assert found[key].split()[: len(say(step.title).split())] == say(step.title).split()
        if not step.terminal:
            assert found[f"lane_{step.actors[0]}"] == say(f"role.{step.actors[0]}")
    assert "…" not in source


@pytest.mark.parametrize("route_id", ROUTES)
def test_arrow_labels_are_short_and_long_ones_are_footnotes(route_id: str) -> None:
    diagram = graph.d2(route(route_id), labels("nl"), "nl")
    defined = set(objects(diagram.source))
    used_notes = set()
    for source, target, label in EDGE.findall(diagram.source):
        assert source in defined and target in defined, (source, target)
        assert len(label) <= graph.EDGE_LABEL_CHARS, label
        if re.fullmatch(r"\[\d+\]", label):
            used_notes.add(int(label[1:-1]))
    assert used_notes == set(range(1, len(diagram.footnotes) + 1))
    found = objects(diagram.source)
    for i, note in enumerate(diagram.footnotes, 1):
        assert found[f"notes.n{i}"].replace("\n", " ") == f"[{i}] {note}"


def test_the_vlaardingen_map_says_what_the_seed_says() -> None:
    diagram = graph.d2(route("vlaardingen"), labels("nl"), "nl")
    assert 'lane_ib.s_toestemming: "Toestemming ouders\\nvoor het VOT" {shape: hexagon' in diagram.source
    assert 'lane_swv.s_vot_lijst: "Op de VOT-lijst\\n(onderwijsspecialist\\nSWV)"' in diagram.source
    # The long follow-up text that was cut off on the old map ("…(SWV), di…") is a footnote, whole.
    assert any(
        note.endswith("10 schooldagen → intern begeleider, onderwijsspecialist (SWV), directie")
        for note in diagram.footnotes
    )
    assert 'actions: "Op elk moment"' in diagram.source
    assert 'legend: "Legenda" {near: bottom-right' in diagram.source
    assert 'title: "Routekaart: Route zorg/onderwijs Vlaardingen"' in diagram.source


@pytest.mark.parametrize("route_id", ROUTES)
def test_mermaid_names_every_step_id_and_title(route_id: str) -> None:
    r, say = route(route_id), labels("nl")
    text = graph.mermaid(r, say)
    assert text.startswith("flowchart TD\n")
    for step in r.steps.values():
        line = next(line for line in text.splitlines() if re.match(rf"\s+{step.id}_?[\[\(\{{]", line))
        assert say(step.title).replace('"', "#quot;").replace("&", "#amp;") in line
        if step.terminal:
            assert '(["' in line
    defined = set(re.findall(r"^\s+(\w+)[\[\(\{/]", text, re.MULTILINE))
    for source, target in re.findall(r"^\s+(\w+) -\.?->(?:\|\"[^\"]*\"\|)? (\w+)$", text, re.MULTILINE):
        assert source in defined and target in defined, (source, target)


def test_maps_show_decisions_follow_ups_and_actions() -> None:
    say = labels("nl")
    text = graph.mermaid(route("mvs_po"), say)
    assert 'consult{{"Collegiaal consult' in text
    assert '|"1. Er is niets meer aan de hand: afronden"| consult_klaar' in text
    assert re.search(
        r'team_no_besluit -\.->\|"10 schooldagen → gezinsspecialist, onderwijsspecialist \(SWV\)"\| '
        r"team_no_besluit",
        text,
    )
    assert '|"Ja, toestemming (met toestemming)"| ot_melding' in text
    assert "act_stagnatie -.-> team_no" in text
    assert 'subgraph actions_["Op elk moment"]' in text


@pytest.mark.parametrize("route_id", NEW_ROUTES)
def test_every_text_a_map_asks_for_exists(route_id: str) -> None:
    asked: set[str] = set()

    def record(msgid: str) -> str:
        asked.add(msgid)
        return labels("nl")(msgid)

    graph.d2(route(route_id), record)
    graph.mermaid(route(route_id), record)
    assert not sorted(m for m in asked if m not in catalog_texts())


def test_a_school_specific_role_name_comes_through_labels() -> None:
    # Capelle a/d IJssel: the bot passes a translator that names the wijkteamleider "contactpersoon CJG".
    say = labels("nl")
    capelle = graph.d2(
        route("rotterdam_po"), lambda m: "contactpersoon CJG" if m == "role.wijkteamleider" else say(m)
    ).source
    assert objects(capelle)["lane_wijkteamleider"] == "contactpersoon CJG"


# -- docs/routes.md --------------------------------------------------------------------------------
_BLOCK = re.compile(r"(<!-- routekaart:(\w+) -->\n```mermaid\n)(.*?)(```)", re.DOTALL)


def test_the_docs_show_the_current_maps() -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = {m.group(2) for m in _BLOCK.finditer(text)}
    assert found == set(ROUTES)

    def current(match: re.Match[str]) -> str:
        body = graph.mermaid(route(match.group(2)), labels(DOCS_LANGUAGE), DOCS_LANGUAGE)
        return match.group(1) + body + match.group(4)

    fresh = _BLOCK.sub(current, text)
    if os.environ.get("UPDATE_ROUTE_DOCS"):
        DOCS.write_text(fresh, encoding="utf-8")
    assert fresh == text, "docs/routes.md is out of date: run with UPDATE_ROUTE_DOCS=1"


@pytest.mark.parametrize("route_id", [r for r in ROUTES if r != "meldcode"])
def test_every_route_draws_its_hand_over_to_the_meldcode(route_id: str) -> None:
    """The safety branch's arrow goes to where the case comes back, "via the Meldcode"; and the action that
    starts the Meldcode from /zaak is in the route's box of actions."""
    r, say = route(route_id), labels("en")
    text = graph.mermaid(r, say, "en")
    returns = {
        e.args["return_to"]
        for s in r.steps.values()
        for t in s.transitions
        for e in t.effects
        if e.kind == "enter_route"
    }
    assert returns, route_id
    for step in returns:
        assert re.search(rf'-->\|"[^"]*via the Meldcode, then back"\| {step}\b', text), (route_id, step)
    assert 'act_meldcode_starten[/"Start the Meldcode' in text
