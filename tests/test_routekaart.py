"""/route: a member receives their school's routekaart as a PNG document and the same map as SVG, in their
language."""

from __future__ import annotations

import struct

import pytest

from bot.render.routekaart import RoutekaartUnavailable, _cairosvg, d2_binary
from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

try:
    _cairosvg()
    d2_binary()
except RoutekaartUnavailable as exc:  # pragma: no cover - CI installs cairo
    pytest.skip(str(exc), allow_module_level=True)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def add_school(h: BotHarness, name: str, kind: str, route_id: str | None) -> int:
    async with h.uow() as uow:
        school = await uow.schools.add(name=name, kind=kind, route_id=route_id, now=h.clock.now())
        await uow.commit()
        return school.id


def sent_document(h: BotHarness, chat_id: int, extension: str) -> tuple[str, str, bytes]:
    """(file name, caption, bytes) of the last document with this extension the bot sent in this chat."""
    message = next(
        m
        for m in reversed(h.state.messages(chat_id))
        if m.from_bot and m.document is not None and m.document.endswith(extension)
    )
    assert message.file_id is not None, message.text
    uploaded = h.state.file(message.file_id)
    assert uploaded is not None
    return message.document, message.text, uploaded.data


def sent_png(h: BotHarness, chat_id: int) -> tuple[str, str, bytes]:
    # The PNG comes first, the SVG last.
    assert (h.state.last_bot_message(chat_id).document or "").endswith(".svg")
    return sent_document(h, chat_id, ".png")


def assert_readable_png(data: bytes) -> None:
    assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    # Legible, and within what Telegram accepts for a document preview.
    assert 600 <= width <= 6000 and 400 <= height <= 6000
    assert 20_000 <= len(data) <= 10_000_000


async def test_route_sends_the_schools_map_as_a_png_document(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await add_school(h, "OBS De Esch", "po", "rotterdam_po")
        await h.register(7001, "smw", school_id=school, name="Sanne")
        await h.send(7001, "/route")
        name, caption, data = sent_png(h, 7001)
        svg_name, svg_caption, svg = sent_document(h, 7001, ".svg")
    assert name == "routekaart-rotterdam_po.png"
    assert caption == "Routekaart: Rotterdam: toeleiding school → wijkteam (PO)\nOBS De Esch"
    assert_readable_png(data)
    assert svg_name == "routekaart-rotterdam_po.svg" and svg.startswith(b"<?xml")
    assert svg_caption.startswith("De kaart als SVG")


async def test_route_speaks_the_members_language(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await add_school(h, "Het Kompas", "po", "smwplus")
        await h.register(7002, "jgc", school_id=school, name="Chris")
        await h.send(7002, "/taal")
        await h.press(7002, "English")
        await h.send(7002, "/route")
        name, caption, data = sent_png(h, 7002)
        await h.send(7002, "/routekaart")  # the Dutch alias
        again = sent_png(h, 7002)
    assert name == "routekaart-smwplus.png"
    assert caption.startswith("Route map: SMWplus and CJG, with the referral index")
    assert_readable_png(data)
    assert again == (name, caption, data)


async def test_members_at_several_schools_pick_one(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        esch = await add_school(h, "OBS De Esch", "po", "rotterdam_po")
        college = await add_school(h, "Comenius College", "vo", None)  # no route chosen: the default
        await h.register(7003, "smw", school_id=esch, name="Sanne")
        code = await h.invite(college, "smw")
        await h.send(7003, f"/start {code}")
        await h.send(7003, "/route")
        assert h.buttons(7003) == ["OBS De Esch", "Comenius College"]
        await h.press(7003, "Comenius College")
        name, caption, data = sent_png(h, 7003)
        # A forged press for a school the member does not belong to shows nothing.
        other = await add_school(h, "Elders", "po", "mvs_po")
        await h.press(7003, data=f"r:{other}")
        assert h.callback_answers(7003)[-1] == "Die zaak bestaat niet, of je hebt er geen toegang toe."
    assert name == "routekaart-vlaardingen.png" and caption.endswith("\nComenius College")
    assert_readable_png(data)
