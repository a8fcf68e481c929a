"""The issue's Mini App scenario in the browser demo at 390×844, in minimal-content chat: the teacher opens
the signal form from a web_app button in the chat (a sheet over her pane, signed for her by the demo's
token), fills every question on one screen, is refused a name in the note, confirms; the IB-er gets a
notification without content, opens the dossier from it, reads the signal and records the decision.

ZORGROUTE_SCREENS=<dir> (an existing folder) keeps miniapp_form.png and miniapp_dossier.png, the
sheet at 390 px."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storage.uow import UnitOfWork

from .conftest import OpenPage
from .page import TIMEOUT_MS
from .test_vlaardingen_demo import SCHOOL, T0, demo_running, member

if TYPE_CHECKING:  # playwright may be missing: the tests are then skipped, not broken
    from playwright.async_api import Locator, Page

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install playwright)"
).expect

pytestmark = pytest.mark.asyncio

PHONE = {"width": 390, "height": 844}
SCREENS = os.environ.get("ZORGROUTE_SCREENS")
NOTE = "Komt vaak moe en zonder ontbijt op school."


async def _shot(page: Page, sheet: Locator, name: str) -> None:
    """The phone's screen (390 px wide) with the Mini App's sheet over the member's pane."""
    if SCREENS:
        await sheet.scroll_into_view_if_needed()
        await page.screenshot(path=f"{SCREENS}/{name}.png")


async def test_signal_in_the_mini_app_and_the_ib_reads_it(tmp_path: Path, open_page: OpenPage) -> None:
    async with demo_running(tmp_path, chat_content="minimal") as demo:
        assert demo.clock.now() >= T0
        page = await open_page(demo.emulator.base_url)
        await page.page.set_viewport_size(PHONE)
        await page.select_school(SCHOOL)
        juf = page.pane(member(demo, "leerkracht").name)
        ib = page.pane(member(demo, "ib").name)

        # The teacher: /signaal offers the Mini App's form; its button opens a sheet over her chat.
        await juf.send("/signaal")
        await juf.expect_text("Het signaal vul je in de app in")
        await juf.press("Signaal invullen in de app")
        sheet = juf.section.locator(".sheet")
        form = juf.section.frame_locator(".sheet iframe")
        await expect(form.get_by_role("heading")).to_contain_text("Signaal", timeout=TIMEOUT_MS)
        await form.get_by_label("Over welke leerling gaat het?").fill("AB 5b")
        await form.get_by_label("Zorg (thuis)").check()
        await form.get_by_label("Gedrag").check()
        await form.get_by_label("Thuissituatie").check()
        await form.get_by_label("Nee", exact=True).check()
        await form.locator("textarea").fill("Daan de Vries komt vaak moe op school.")
        await form.get_by_role("button", name="Klaar").click()
        await expect(form.get_by_role("alert")).to_contain_text("namen of contactgegevens")
        await expect(form.locator("textarea")).not_to_have_value("Daan de Vries komt vaak moe op school.")
        await form.locator("textarea").fill(NOTE)
        await form.get_by_role("heading", level=1).scroll_into_view_if_needed()
        await _shot(page.page, sheet, "miniapp_form")
        await form.get_by_role("button", name="Klaar").click()
        await expect(form.locator("main")).to_contain_text("Klopt dit?")
        await form.get_by_role("button", name="Bevestigen").click()
        await expect(form.get_by_role("heading", level=1)).to_have_text("Z-0001 · AB 5b")
        await juf.section.get_by_role("button", name="Sluiten").click()
        await expect(sheet).to_have_count(0)

        # The IB-er: the chat says that there is a signal, not what it says.
        await ib.expect_text("Z-0001")
        await ib.expect_no_text("moe")
        await ib.press("Openen in Zorgroute")
        dossier = ib.section.frame_locator(".sheet iframe")
        await expect(dossier.locator("main")).to_contain_text(NOTE)
        await expect(dossier.locator("main")).to_contain_text("Thuissituatie")
        await dossier.get_by_role("heading", name="Vastgelegd").evaluate("n => n.scrollIntoView()")
        await _shot(page.page, ib.section.locator(".sheet"), "miniapp_dossier")
        await dossier.get_by_role("link", name="Oppakken: Beoordeling door de intern begeleider").click()
        await dossier.get_by_label("Ondersteuning van buiten de school (VOT)").check()
        await dossier.get_by_role("button", name="Klaar").click()
        await expect(dossier.locator("main")).to_contain_text("Toestemming ouders voor het VOT")
        width = await page.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]

        async with UnitOfWork(demo.runtime.sessionmaker) as uow:
            case = await uow.cases.get("Z-0001")
        assert case is not None and case.step == "toestemming"
        assert case.data["signaal"]["notes"] == NOTE
