"""The emulator's page in headless Chromium: three members, a stand-in bot, everything live."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from aiogram import Bot, Dispatcher

from emulator import EmulatorState, Person, RunningEmulator

from .conftest import ANNA, BRAM, CAS, OpenPage

if TYPE_CHECKING:
    from .page import EmulatorPage

# Imported this way so a machine without Playwright reports a skip with the fix, not a collection error.
expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install playwright)"
).expect

pytestmark = pytest.mark.asyncio


async def test_a_press_edits_answers_and_notifies_another_pane(
    emulator: RunningEmulator, state: EmulatorState, demo_bot: Dispatcher, open_page: OpenPage
) -> None:
    page: EmulatorPage = await open_page(emulator.base_url)
    anna, bram, cas = page.pane(ANNA.name), page.pane(BRAM.name), page.pane(CAS.name)

    await anna.send("/start")
    await anna.expect_text("Welkom, Anna de Vries.")
    await anna.expect_buttons("Meld signaal", "Later")
    await expect(anna.message("Welkom").locator("b")).to_have_text("Welkom")  # HTML drawn, not shown

    await anna.press("Meld signaal")
    await anna.expect_edited("Signaal Z-0001 gemeld door Anna de Vries.")
    await anna.expect_toast("Signaal verstuurd")
    await expect(anna.message("gemeld door").locator(".keyboard")).to_have_count(0)  # edit dropped it
    await bram.expect_text("🔔 Nieuw signaal Z-0001 van Anna de Vries.")
    await cas.expect_no_text("Nieuw signaal")

    await bram.press("Oppakken")
    await bram.expect_toast("Je bent nu regiehouder")

    await page.advance_clock("+1 dag")
    await page.expect_clock(r"dinsdag 4 maart 2025.*09:30")
    await anna.expect_text("⏰ Herinnering: het signaal wacht op een reactie.")

    state.record_external(
        "email",
        CAS.user_id,
        "cas@swv.example",
        "Nieuw signaal Z-0001",
        "Er is een signaal voor OBS De Vlinder.",
        {"attachment": "overleg.ics"},
    )
    state.record_external(
        "whatsapp", BRAM.user_id, "+31612345678", "", "Zorgroute: nieuw signaal Z-0001.", {}
    )
    await page.outbox.expect_text("E-mail aan Cas Mulder")
    await page.outbox.expect_text("cas@swv.example")
    await page.outbox.expect_text("Bijlage: overleg.ics")
    await page.outbox.expect_text("Zorgroute: nieuw signaal Z-0001.")
    await cas.expect_badge(1)
    await bram.expect_badge(1)

    path = await page.screenshot("happy-path")
    assert path.stat().st_size > 10_000


async def test_keyboard_only_reaches_a_pane_and_sends(
    emulator: RunningEmulator, demo_bot: Dispatcher, open_page: OpenPage
) -> None:
    page: EmulatorPage = await open_page(emulator.base_url)
    keyboard = page.page.keyboard

    await keyboard.press("Tab")
    await expect(page.page.get_by_role("link", name="Naar de chats")).to_be_focused()
    await keyboard.press("Enter")  # the skip link jumps past the header to the panes
    bram = page.pane(BRAM.name)
    for _ in range(10):  # Anna's log, input and button come first; a bound keeps a broken order from hanging
        await keyboard.press("Tab")
        if await bram.input.evaluate("node => node === document.activeElement"):
            break
    await expect(bram.input).to_be_focused()
    await keyboard.type("hallo vanaf het toetsenbord")
    await keyboard.press("Enter")
    await bram.expect_text("Ontvangen: hallo vanaf het toetsenbord")

    await bram.input.fill("/start")
    await keyboard.press("Enter")
    await bram.expect_buttons("Meld signaal", "Later")
    button = bram.log.get_by_role("button", name="Later", exact=True)
    await button.focus()
    await keyboard.press("Enter")  # a real <button>: Enter presses it
    await expect(button).not_to_have_attribute("aria-busy", "true")  # answered, even without a toast
    await bram.input.focus()  # the picture shows the focus ring a keyboard user follows
    await page.screenshot("keyboard")


async def test_bot_markup_is_sanitised(emulator: RunningEmulator, bot: Bot, open_page: OpenPage) -> None:
    page: EmulatorPage = await open_page(emulator.base_url)
    await bot.send_message(
        ANNA.user_id,
        '<b>vet</b> <i>schuin</i> <code>Z-1</code> <a href="https://example.org/x">link</a> '
        '<a href="javascript:window.pwned=1">gevaar</a><img src=x onerror="window.pwned=1">'
        "<script>window.pwned=1</script><u>einde</u>",
    )
    anna = page.pane(ANNA.name)
    await anna.expect_text("einde")
    text = anna.message("einde").locator(".text")
    await expect(text.locator("b")).to_have_text("vet")
    await expect(text.locator("code")).to_have_text("Z-1")
    await expect(text.locator('a[href="https://example.org/x"]')).to_have_count(1)
    await expect(text.locator("a", has_text="gevaar")).not_to_have_attribute(
        "href", "javascript:window.pwned=1"
    )
    await expect(text.locator("img, script")).to_have_count(0)
    assert await page.page.evaluate("window.pwned === undefined")


async def test_clock_buttons_say_when_nothing_can_move_time(
    emulator: RunningEmulator, open_page: OpenPage
) -> None:
    page: EmulatorPage = await open_page(emulator.base_url)  # no demo_bot: no clock handler
    await page.expect_clock(r"maandag 3 maart 2025.*09:30")
    await expect(page.page.get_by_role("button", name="+1 dag")).to_be_disabled()


async def test_one_tab_per_demo_school(
    emulator: RunningEmulator, state: EmulatorState, demo_bot: Dispatcher, open_page: OpenPage
) -> None:
    page: EmulatorPage = await open_page(emulator.base_url)
    dirk = Person(201, "Dirk Smit", ["directie"], "CBS De Regenboog", "nl")
    state.set_roster([ANNA, BRAM, dirk])  # the page follows a new roster live
    await page.select_school("CBS De Regenboog")
    await expect(page.pane(dirk.name).section).to_be_visible()
    # A name that doesn't say the role gets it on a line of its own.
    await expect(page.pane(dirk.name).section.locator(".pane-head .roles")).to_have_text("directie")
    await expect(page.pane(ANNA.name).section).to_be_hidden()
    await expect(page.pane(CAS.name).section).to_have_count(0)  # off the roster, nothing said: no pane
    await page.pane(dirk.name).send("/start")
    await page.pane(dirk.name).expect_text("Welkom, Dirk Smit.")
    await page.screenshot("schools")
    await page.select_school("OBS De Vlinder")
    await expect(page.pane(ANNA.name).section).to_be_visible()
