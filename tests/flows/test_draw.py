"""The route maps: every shipped route in every format names every step, and docs/routes.md shows
the current maps. Set UPDATE_ROUTE_DOCS=1 to rewrite the docs' Mermaid blocks from the route files."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from catalog_texts import catalog_texts, labels

from flows import draw
from flows.registry import builtin_registry
from flows.route import Route

ROUTES = builtin_registry().ids()
NEW_ROUTES = ("rotterdam_po", "rotterdam_vo", "mvs_po", "smwplus")
SVG = "{http://www.w3.org/2000/svg}"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "routes.md"
DOCS_LANGUAGE = "en"


def route(route_id: str) -> Route:
    return builtin_registry().latest(route_id)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("route_id", ROUTES)
def test_svg_is_valid_xml_and_names_every_step(route_id: str, language: str) -> None:
    r, say = route(route_id), labels(language)
    root = ET.fromstring(draw.svg(r, say, language))
    assert root.tag == f"{SVG}svg" and float(root.attrib["width"]) > 0
    assert root.find(f"{SVG}title") is not None
    groups = {g.attrib["id"]: g for g in root.iter(f"{SVG}g") if g.attrib.get("id", "").startswith("step-")}
    all_text = " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for step in r.steps.values():
        group = groups[f"step-{step.id}"]
        title = say(step.title)
        assert group.findtext(f"{SVG}title") == title
        shown = " ".join(" ".join(t.itertext()) for t in group.iter(f"{SVG}text"))
        # Wrapped over lines, but every word of the title is on the node.
        assert shown.split()[: len(title.split())] == title.split() or title.rstrip("…") in shown
        assert step.id == group.findtext(f"{SVG}desc")
    for role in {s.actors[0] for s in r.steps.values()}:
        assert say(f"role.{role}") in all_text  # a lane and a legend entry per acting role


@pytest.mark.parametrize("route_id", ROUTES)
def test_mermaid_names_every_step_id_and_title(route_id: str) -> None:
    r, say = route(route_id), labels("nl")
    text = draw.mermaid(r, say)
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
    text = draw.mermaid(route("mvs_po"), say)
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

    draw.svg(route(route_id), record)
    draw.mermaid(route(route_id), record)
    assert not sorted(m for m in asked if m not in catalog_texts())


def test_a_school_specific_role_name_comes_through_labels() -> None:
    # Capelle a/d IJssel: the bot passes a translator that names the wijkteamleider "contactpersoon CJG".
    say = labels("nl")
    capelle = draw.svg(
        route("rotterdam_po"), lambda m: "contactpersoon CJG" if m == "role.wijkteamleider" else say(m)
    )
    # The lane header, the role line on the toewijzen step and the legend.
    assert capelle.count(">contactpersoon CJG</text>") >= 3


# -- docs/routes.md --------------------------------------------------------------------------------
_BLOCK = re.compile(r"(<!-- routekaart:(\w+) -->\n```mermaid\n)(.*?)(```)", re.DOTALL)


def test_the_docs_show_the_current_maps() -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = {m.group(2) for m in _BLOCK.finditer(text)}
    assert found == set(ROUTES)

    def current(match: re.Match[str]) -> str:
        body = draw.mermaid(route(match.group(2)), labels(DOCS_LANGUAGE), DOCS_LANGUAGE)
        return match.group(1) + body + match.group(4)

    fresh = _BLOCK.sub(current, text)
    if os.environ.get("UPDATE_ROUTE_DOCS"):
        DOCS.write_text(fresh, encoding="utf-8")
    assert fresh == text, "docs/routes.md is out of date: run with UPDATE_ROUTE_DOCS=1"
