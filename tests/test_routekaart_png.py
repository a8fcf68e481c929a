"""The routekaart renders to a real PNG and a one-page PDF for every shipped route (needs cairosvg, libcairo2
and the DejaVu fonts)."""

from __future__ import annotations

import re
import struct
import zlib

import pytest

from flows.registry import builtin_registry

routekaart = pytest.importorskip("bot.render.routekaart")
try:
    routekaart._cairosvg()
    routekaart.raster_fonts()
except routekaart.PngUnavailable as exc:  # pragma: no cover - CI installs cairo
    pytest.skip(str(exc), allow_module_level=True)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + data) == crc, kind
        out.append((kind, data))
        at += 12 + length
    return out


@pytest.mark.parametrize("route_id", builtin_registry().ids())
def test_every_route_renders_to_a_decodable_png(route_id: str) -> None:
    png = routekaart.route_png(builtin_registry().latest(route_id), lambda msgid: msgid)
    assert png.startswith(PNG_SIGNATURE)
    parts = chunks(png)
    assert parts[0][0] == b"IHDR" and parts[-1][0] == b"IEND"
    width, height = struct.unpack(">II", parts[0][1][:8])
    # Big enough to read, within what Telegram accepts (sum of sides ≤ 10000).
    assert 600 <= width <= 6000 and 400 <= height <= 6000 and width + height <= 10000
    pixels = zlib.decompress(b"".join(data for kind, data in parts if kind == b"IDAT"))
    assert len(pixels) >= height * width  # at least one byte per pixel: the image data is all there


@pytest.mark.parametrize("route_id", builtin_registry().ids())
def test_every_route_prints_on_one_landscape_page(route_id: str) -> None:
    pdf = routekaart.render(builtin_registry().latest(route_id), lambda msgid: msgid, "nl", "pdf").data
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") <= 1
    match = re.search(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", pdf)
    assert match is not None
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in match.groups())
    assert (round(width_mm), round(height_mm)) in {(297, 210), (420, 297)}  # A4 or A3, landscape


def test_a_small_map_goes_on_a4_and_a_large_one_on_a3() -> None:
    assert routekaart.paper(1200, 800) == routekaart.A4
    assert routekaart.paper(3200, 3000) == routekaart.A3
