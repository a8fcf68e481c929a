"""The demo page as a product demo: outbox cards in plain Dutch, and messages the bot holds for the quiet
hours shown as waiting (a signal made in the evening reaches the IB-er at 07:30, and the page says so)."""

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


async def test_an_outbox_card_says_what_went_to_whom(running_demo: Demo, open_page: OpenPage) -> None:
    demo = running_demo
    ib = member(demo, "ib")
    page = await open_page(demo.emulator.base_url)
    await page.select_school(SCHOOL)
    # What the capture sender records for an e-mail (bot/outbox/capture.py), meta included.
    demo.emulator.state.record_external(
        "email",
        ib.user_id,
        "ib@demo.invalid",
        "Nieuw signaal",
        "Er is een nieuw signaal.",
        {"kind": "notify", "language": "nl", "attachment": "invite.ics"},
    )
    card = page.page.locator("article.delivery").last
    await expect(card).to_contain_text(f"E-mail aan {ib.name}")
    await expect(card).to_contain_text("ib@demo.invalid")
    await expect(card).to_contain_text("Er is een nieuw signaal.")
    await expect(card).to_contain_text("Bijlage: invite.ics")
    for technical in ("kind", "notify", "language"):
        await expect(card).not_to_contain_text(technical)
    await page.pane(ib.name).expect_badge(1)


async def test_a_signal_in_the_evening_shows_as_waiting_for_the_morning(
    running_demo,
    open_page: OpenPage,  # type: ignore[no-untyped-def]
) -> None:
    demo = running_demo
    page = await open_page(demo.emulator.base_url)
    await page.select_school(SCHOOL)
    await page.advance_clock("+1 uur")
    await page.expect_clock(r"10:00")
    for _ in range(9):  # to 19:00: the IB-er's quiet hours (18:00–07:30)
        await page.advance_clock("+1 uur")
    await page.expect_clock(r"maandag 23 november 2026.*19:00")
    juf = page.pane(member(demo, "leerkracht").name)
    ib = page.pane(member(demo, "ib").name)

    await juf.send("/signaal")
    await juf.send("AB 5b")
    await juf.press("Zorg (thuis)")
    await juf.press("☐ Gedrag")
    await juf.press("Klaar")
    await juf.expect_text("Wil je het kort toelichten?")
    await juf.send("Komt vaak moe op school.")
    await juf.press("Nee")
    await juf.press("Bevestigen")
    await juf.expect_text("Vastgelegd: Signaal van de leerkracht")

    # Nothing reaches the IB-er tonight, and the page says when it will.
    held = ib.section.locator(".held")
    await expect(held).to_have_text("1 bericht wacht tot di 07:30 (stille uren)")
    await ib.expect_no_text("Nieuw signaal")
    response = await page.page.request.get(f"{demo.emulator.base_url}/control/held")
    rows = (await response.json())["held"]
    assert [row["to_user_id"] for row in rows] == [member(demo, "ib").user_id]
    await ib.section.scroll_into_view_if_needed()
    path = await page.screenshot("held-quiet-hours")
    assert path.stat().st_size > 10_000

    # Next morning it arrives and the mark goes.
    await page.advance_clock("+1 dag")
    await ib.expect_text("Nieuw signaal van een leerkracht.")
    await expect(held).to_be_hidden()
