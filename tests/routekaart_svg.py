"""Reads a routekaart SVG back into boxes, to check that nothing on the map overlaps or is cut.

A text's box is, where the layout engine wrote one, the engine's own: D2 cuts every edge label out of
its arrow with a black rectangle in a mask (and bot.render.routekaart.for_cairo turns that into a white
rectangle just before the text). Any other text is measured in the font it is drawn with: the font D2
embedded in the SVG, or DejaVu Sans in the SVG that cairo draws (Pillow reads both); without a font, from
its font size with a width per character that errs on the wide side. Steps are the shapes of D2's leaf
objects (a container, i.e. a swimlane or the legend, holds texts by design and is not a step).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SVG = "{http://www.w3.org/2000/svg}"
# Average advance of a character as a fraction of the font size: DejaVu Sans Bold averages about 0.62,
# Source Sans Pro about 0.5; 0.62 is never too narrow for either.
WIDTH_FACTOR = 0.62
TOLERANCE = 1.0  # px: boxes that touch are not overlapping
CUT_MARKS = ("…", "...")


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, tolerance: float = TOLERANCE) -> bool:
        return (
            self.x0 + tolerance < other.x1
            and other.x0 + tolerance < self.x1
            and self.y0 + tolerance < other.y1
            and other.y0 + tolerance < self.y1
        )

    def contains(self, other: Box, tolerance: float = TOLERANCE) -> bool:
        return (
            self.x0 - tolerance <= other.x0
            and self.y0 - tolerance <= other.y0
            and other.x1 <= self.x1 + tolerance
            and other.y1 <= self.y1 + tolerance
        )


@dataclass(frozen=True)
class Text:
    owner: str  # the object it belongs to (a step, an arrow, a lane)
    lines: tuple[str, ...]
    box: Box
    measured: bool  # the box is the layout engine's, not an estimate

    @property
    def content(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class Shape:
    owner: str
    box: Box


@dataclass(frozen=True)
class MapReading:
    texts: tuple[Text, ...]
    steps: tuple[Shape, ...]  # leaf objects: steps, actions, legend samples


def _font_size(el: ET.Element) -> float:
    style = el.attrib.get("style", "")
    match = re.search(r"font-size:\s*([\d.]+)", style)
    return float(match.group(1) if match else el.attrib.get("font-size", "16"))


def _anchor(el: ET.Element) -> str:
    match = re.search(r"text-anchor:\s*(\w+)", el.attrib.get("style", ""))
    return match.group(1) if match else el.attrib.get("text-anchor", "start")


def _lines(el: ET.Element) -> tuple[str, ...]:
    spans = el.findall(f"{SVG}tspan")
    if spans:
        return tuple("".join(s.itertext()) for s in spans)
    return ("".join(el.itertext()),)


Measure = Callable[[str, str, float], float]  # (style, text, size) -> width in px


def _estimate(style: str, text: str, size: float) -> float:
    return len(text) * size * WIDTH_FACTOR


def _style(el: ET.Element) -> str:
    classes = el.attrib.get("class", "").split()
    return next((c.removeprefix("text-") for c in classes if c in ("text-bold", "text-italic")), "regular")


@cache
def _font(source: bytes | str, size: float) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(source) if isinstance(source, bytes) else source, size)


def fonts_of(svg: str, raster_fonts: dict[str, Path] | None = None) -> Measure:
    """Widths in the fonts the SVG is drawn with: D2's embedded ones, else `raster_fonts` (DejaVu)."""
    embedded = {
        m.group(1): base64.b64decode(m.group(2))
        for m in re.finditer(
            r'font-family: d2-\d+-font-(\w+);\s*src: url\("data:application/font-woff;base64,([^"]+)"\)', svg
        )
    }
    sources: dict[str, bytes | str] = {**{k: str(v) for k, v in (raster_fonts or {}).items()}, **embedded}
    try:
        import PIL  # noqa: F401
    except ImportError:  # pragma: no cover - cairosvg brings Pillow
        return _estimate

    def measure(style: str, text: str, size: float) -> float:
        source = sources.get(style) or sources.get("regular")
        if source is None:
            return _estimate(style, text, size)
        return float(_font(source, size).getlength(text))

    return measure


def text_box(el: ET.Element, measure: Measure = _estimate) -> Box:
    size, lines = _font_size(el), _lines(el)
    x, y = float(el.attrib["x"]), float(el.attrib["y"])
    width = max(measure(_style(el), line, size) for line in lines)
    dys = [float(s.attrib.get("dy", "0")) for s in el.findall(f"{SVG}tspan")]
    line_h = max([size * 1.1, *dys[1:]])
    left = {"middle": x - width / 2, "end": x - width}.get(_anchor(el), x)
    # From the first line's ascent to the last line's descent.
    return Box(left, y - size * 0.8, left + width, y + line_h * (len(lines) - 1) + size * 0.25)


def _shape_box(el: ET.Element) -> Box | None:
    tag = el.tag.removeprefix(SVG)
    a = el.attrib
    if tag == "rect":
        x, y = float(a.get("x", 0)), float(a.get("y", 0))
        return Box(x, y, x + float(a["width"]), y + float(a["height"]))
    if tag == "ellipse" or tag == "circle":
        cx, cy = float(a["cx"]), float(a["cy"])
        rx, ry = float(a.get("rx", a.get("r", 0))), float(a.get("ry", a.get("r", 0)))
        return Box(cx - rx, cy - ry, cx + rx, cy + ry)
    if tag in ("path", "polygon"):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", a.get("d", a.get("points", "")))]
        xs, ys = numbers[0::2], numbers[1::2]
        return Box(min(xs), min(ys), max(xs), max(ys)) if xs and ys else None
    return None


def _key(group: ET.Element) -> str | None:
    """D2 names each object's group by its key, base64-encoded, in the class attribute."""
    name = group.attrib.get("class", "")
    if not name or " " in name or name in ("shape",):
        return None
    try:
        return base64.b64decode(name, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def read_d2(svg: str, measure: Measure = _estimate) -> MapReading:
    root = ET.fromstring(svg)
    holes = [
        _shape_box(r)
        for mask in root.iter(f"{SVG}mask")
        for r in mask.iter(f"{SVG}rect")
        if r.attrib.get("fill") == "black"
    ]
    groups = [(key, g) for g in root.iter(f"{SVG}g") if (key := _key(g)) is not None]
    keys = {key for key, _ in groups}
    texts: list[Text] = []
    steps: list[Shape] = []
    for key, group in groups:
        is_edge = group.find(f"{SVG}path[@class='connection']") is not None
        container = any(other.startswith(key + ".") for other in keys)
        shape_group = group.find(f"{SVG}g[@class='shape']")
        if shape_group is not None and not is_edge and not container:
            for el in shape_group:
                box = _shape_box(el)
                if box is not None:
                    steps.append(Shape(key, box))
        backgrounds = [_shape_box(r) for r in group.findall(f"{SVG}rect")]
        for el in group.findall(f"{SVG}text"):
            estimate = text_box(el, measure)
            x, y = float(el.attrib["x"]), float(el.attrib["y"])
            engine = next(
                (b for b in [*backgrounds, *holes] if b and b.contains(Box(x, y - 4, x, y - 4), 0)),
                None,
            )
            if is_edge and engine is not None:
                texts.append(Text(key, _lines(el), engine, True))
            else:
                texts.append(Text(key, _lines(el), estimate, False))
    return MapReading(tuple(texts), tuple(steps))


def problems(reading: MapReading) -> list[str]:
    """Every overlap and every cut text on the map, in words; empty when the map is clean."""
    out: list[str] = []
    texts = [t for t in reading.texts if t.content.strip()]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if a.owner != b.owner and a.box.overlaps(b.box):
                out.append(f"text {a.content!r} overlaps text {b.content!r}")
        for step in reading.steps:
            if step.owner != a.owner and step.box.overlaps(a.box):
                out.append(f"text {a.content!r} ({a.owner}) overlaps the box of {step.owner}")
        own = [s for s in reading.steps if s.owner == a.owner]
        if own and not any(s.box.contains(a.box, 2.0) for s in own):
            out.append(f"text {a.content!r} does not fit in its own box ({a.owner})")
        if any(line.rstrip().endswith(CUT_MARKS) for line in a.lines):
            out.append(f"text {a.content!r} is cut")
    for i, a in enumerate(reading.steps):
        for b in reading.steps[i + 1 :]:
            if a.owner != b.owner and a.box.overlaps(b.box):
                out.append(f"the boxes of {a.owner} and {b.owner} overlap")
    return out
