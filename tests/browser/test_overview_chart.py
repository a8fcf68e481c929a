"""/overzicht in the browser demo: after a teacher's signal the IB-er's figures arrive as text and the chart
(a PNG drawn with matplotlib) shows inline in the pane, decoded by the browser (not a "Foto" placeholder)."""

from __future__ import annotations

import pytest

from emulator.demo import Demo

from .conftest import OpenPage
from .test_vlaardingen_demo import SCHOOL, member, running_demo

__all__ = ["running_demo"]  # the fixture, imported so pytest finds it here

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install playwright)"
).expect

pytestmark = pytest.mark.asyncio


async def test_the_overview_chart_shows_inline(running_demo: Demo, open_page: OpenPage) -> None:
    page = await open_page(running_demo.emulator.base_url)
    await page.select_school(SCHOOL)
    juf = page.pane(member(running_demo, "leerkracht").name)
    ib = page.pane(member(running_demo, "ib").name)
    # A signal first: a school without any has no figures to draw.
    await juf.send("/signaal")
    await juf.expect_text("Over welke leerling gaat het?")
    await juf.send("AB 5b")
    await juf.press("Zorg (thuis)")
    await juf.press("☐ Gedrag")
    await expect(juf.log.get_by_role("button", name="☑ Gedrag")).to_be_visible()
    await juf.press("Klaar")
    await juf.expect_text("Wil je het kort toelichten?")
    await juf.send("Komt vaak moe op school.")
    await juf.press("Nee")
    await juf.press("Bevestigen")
    await juf.expect_text("Vastgelegd: Signaal van de leerkracht (Z-0001).")
    await ib.expect_text("Nieuw signaal van een leerkracht.")
    await ib.send("/overzicht")
    # The first report in a process imports matplotlib and draws: on a loaded machine that takes seconds.
    await expect(ib.log).to_contain_text("Overzicht zorgroute", timeout=30_000)
    chart = ib.log.locator("img.photo").last
    await expect(chart).to_be_visible(timeout=30_000)
    await expect(chart).to_have_attribute("alt", "Foto")
    # Loaded and drawn: the browser decoded the PNG the bot sent (a broken image has no natural width).
    width = await chart.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width > 300
    caption = ib.message("Doorlooptijden en open werk")
    await expect(caption).to_be_visible()
