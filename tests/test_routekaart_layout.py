"""Every shipped route draws without overlaps, in both languages and in every format: the SVG a browser
shows, and the SVG that cairo turns into the PNG and the PDF (laid out again in DejaVu Sans). Each SVG is
read back (tests/routekaart_svg.py) and fails on two texts that overlap, a text on a step that is not its
own, a text that does not fit in its own box, a text cut with "…", or two steps on top of each other.
Not compared byte for byte with a golden file: a new D2 may move things, and that is fine while nothing
overlaps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.i18n import make_i18n
from flows.registry import builtin_registry
from tests.routekaart_svg import Box, MapReading, Shape, Text, fonts_of, problems, read_d2

routekaart = pytest.importorskip("bot.render.routekaart")
try:
    routekaart.d2_binary()
    routekaart._cairosvg()
    FONTS = routekaart.raster_fonts()
except routekaart.RoutekaartUnavailable as exc:  # pragma: no cover - CI installs all of it
    pytest.skip(str(exc), allow_module_level=True)

ROUTES = builtin_registry().ids()


def labels(language: str) -> routekaart.graph.Labels:
    return routekaart.map_labels(make_i18n(language), language)


@pytest.mark.parametrize("raster", [False, True], ids=["svg", "png-pdf"])
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("route_id", ROUTES)
def test_nothing_on_the_map_overlaps_or_is_cut(route_id: str, language: str, raster: bool) -> None:
    route = builtin_registry().latest(route_id)
    if raster:
        svg = routekaart.raster_svg(route, labels(language), language)
        reading = read_d2(svg, fonts_of(svg, FONTS))
    else:
        svg = routekaart.route_svg(route, labels(language), language)
        reading = read_d2(svg, fonts_of(svg))
    assert problems(reading) == []
    # Every step is on the map, with its whole title.
    say = labels(language)
    shown = {t.owner.rsplit(".", 1)[-1]: t.content for t in reading.texts}
    for step in route.steps.values():
        assert shown[f"s_{step.id}"].startswith(say(step.title)), step.id
    # The arrows' labels are the engine's own boxes, not estimates.
    assert any(t.measured for t in reading.texts)


def test_the_checker_sees_what_the_old_map_did_wrong() -> None:
    # The picture, reduced: an arrow label across a step, a label on a label, and a cut text.
    step = Shape("lane_ib.s_toestemming", Box(100, 100, 300, 160))
    reading = MapReading(
        texts=(
            Text("lane_ib.s_toestemming", ("Toestemming ouders",), Box(120, 110, 280, 130), False),
            Text("edge-1", ("Ja, toestemming gegeven",), Box(150, 120, 330, 135), True),
            Text("edge-2", ("Niet bereikt",), Box(320, 125, 400, 140), True),
            Text("edge-3", ("10 schooldagen → …(SWV), di…",), Box(500, 500, 700, 515), True),
        ),
        steps=(step,),
    )
    assert problems(reading) == [
        "text 'Toestemming ouders' overlaps text 'Ja, toestemming gegeven'",
        "text 'Ja, toestemming gegeven' overlaps text 'Niet bereikt'",
        "text 'Ja, toestemming gegeven' (edge-1) overlaps the box of lane_ib.s_toestemming",
        "text '10 schooldagen → …(SWV), di…' is cut",
    ]


# -- docs/routes.md --------------------------------------------------------------------------------
DOCS = Path(__file__).resolve().parents[1] / "docs"
DOCS_LANGUAGE = "en"


@pytest.mark.parametrize("route_id", ROUTES)
def test_the_docs_show_the_current_map(route_id: str) -> None:
    """docs/routekaart/<route>.svg shows what the route draws now: the same texts (not the same bytes: a
    new D2 may move things). UPDATE_ROUTE_DOCS=1 rewrites the SVG and the PDF beside it."""
    route = builtin_registry().latest(route_id)
    svg_path, pdf_path = DOCS / "routekaart" / f"{route_id}.svg", DOCS / "routekaart" / f"{route_id}.pdf"
    fresh = routekaart.route_svg(route, labels(DOCS_LANGUAGE), DOCS_LANGUAGE)
    if os.environ.get("UPDATE_ROUTE_DOCS"):
        svg_path.parent.mkdir(exist_ok=True)
        svg_path.write_text(fresh, encoding="utf-8")
        pdf_path.write_bytes(routekaart.render(route, labels(DOCS_LANGUAGE), DOCS_LANGUAGE, "pdf").data)
    assert f"](routekaart/{route_id}.svg)" in (DOCS / "routes.md").read_text(encoding="utf-8")
    shown = sorted(t.content for t in read_d2(svg_path.read_text(encoding="utf-8")).texts)
    assert shown == sorted(t.content for t in read_d2(fresh).texts), "run with UPDATE_ROUTE_DOCS=1"
    assert pdf_path.read_bytes().startswith(b"%PDF-")
