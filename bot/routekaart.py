"""The routekaart as PNG, for `/route` in the bot and `zorgroute routes draw --format png`.

The drawing is pure (flows.draw makes the SVG); turning SVG into pixels needs cairo, which is why this
lives at the edge. cairosvg is imported when a PNG is asked for, so the bot and the other formats work on
a machine without cairo and only this call reports what is missing.
"""

from __future__ import annotations

import importlib
from typing import Any

from aiogram.utils.i18n import I18n

from bot.i18n import role_msgid
from flows import draw
from flows.route import Route

_ROLE = "role."

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


def map_labels(i18n: I18n, language: str, naming: str | None = None) -> draw.Labels:
    """The map's texts in `language`, with the school's own names for roles (flows.draw asks `role.<id>`)."""

    def label(msgid: str) -> str:
        if msgid.startswith(_ROLE):
            msgid = role_msgid(msgid[len(_ROLE) :], naming)
        return i18n.gettext(msgid, locale=language)

    return label
