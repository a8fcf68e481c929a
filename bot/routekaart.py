"""The routekaart as PNG, for `/route` in the bot and `zorgroute routes draw --format png`.

The drawing is pure (flows.draw makes the SVG); turning SVG into pixels needs cairo, which is why this
lives at the edge. cairosvg is imported when a PNG is asked for, so the bot and the other formats work on
a machine without cairo and only this call reports what is missing.
"""

from __future__ import annotations

import importlib
from typing import Any

from flows import draw
from flows.route import Route

# Telegram recompresses photos to about 1280 px on the long side; a route map needs more to stay
# legible, so the bot should send it as a document, at this scale.
DEFAULT_SCALE = 1.0


class PngUnavailable(RuntimeError):
    """cairosvg or the cairo library is not installed."""


def _cairosvg() -> Any:
    try:
        return importlib.import_module("cairosvg")
    except (ImportError, OSError) as exc:  # OSError: the Python package is there, libcairo is not
        raise PngUnavailable(f"PNG route maps need cairosvg and libcairo2: {exc}") from exc


def svg_to_png(svg_text: str, scale: float = DEFAULT_SCALE) -> bytes:
    png = _cairosvg().svg2png(bytestring=svg_text.encode("utf-8"), scale=scale)
    return bytes(png)


def route_png(route: Route, labels: draw.Labels, language: str = "nl", scale: float = DEFAULT_SCALE) -> bytes:
    return svg_to_png(draw.svg(route, labels, language), scale)
