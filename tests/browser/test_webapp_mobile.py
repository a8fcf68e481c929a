"""The Mini App in headless Chromium at 390×844, opened as Telegram opens it (initData in the fragment,
the emulator's stand-in for telegram-web-app.js): the shell opens a session, the dossier and the step
form fit the width, the form is filled and confirmed with the keyboard only, and the CSP blocks nothing
of ours. ZORGROUTE_SCREENSHOTS=<dir> keeps screenshots of the dossier and the form."""

from __future__ import annotations

import os
from pathlib import Path

from aiohttp import web
from playwright.async_api import Page, async_playwright

from bot.settings import EMULATOR_TOKEN, Settings
from bot.webapp.routes import STAND_IN, mount_webapp, webapp_for
from emulator.web_app import launch_url, sign_init_data
from flows.clock import FrozenClock
from tests.harness import BotHarness
from tests.test_webapp_forms import IB, _until_consent

from .page import launch_chromium

WIDTH, HEIGHT = 390, 844


async def _fits(page: Page) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= WIDTH


async def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("ZORGROUTE_SCREENSHOTS")
    if folder:
        await page.screenshot(path=str(Path(folder) / f"{name}-{WIDTH}.png"), full_page=True)


async def test_dossier_and_form_at_390_px_by_keyboard(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await _until_consent(h)
        assert h.runtime is not None
        app = web.Application()
        mount_webapp(app, webapp_for(h.runtime, telegram_script=STAND_IN))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with async_playwright() as playwright:
                browser = await launch_chromium(playwright)
                page = await browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                blocked: list[str] = []
                page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)

                raw = sign_init_data(EMULATOR_TOKEN, IB, clock.now())
                await page.goto(launch_url(f"{base}/app/?ref=Z-0001", raw))
                await page.wait_for_url(f"{base}/app/case?ref=Z-0001")
                assert await page.locator("h1").inner_text() == "Z-0001 · AB 5B"
                await _fits(page)
                await _shot(page, "dossier")

                work_on = page.get_by_role("link", name="Oppakken: Toestemming ouders voor het VOT")
                await work_on.press("Enter")
                await page.wait_for_url(f"{base}/app/step?ref=Z-0001&step=toestemming")
                await _fits(page)
                await page.get_by_label("Telefoon").focus()
                await page.keyboard.press("Space")
                await page.get_by_label("Ja, toestemming gegeven").focus()
                await page.keyboard.press("Space")
                await page.locator('input[type="date"]').fill(clock.now().date().isoformat())
                await _shot(page, "form")
                await page.get_by_role("button").press("Enter")
                await page.wait_for_load_state()
                assert "Klopt dit?" in await page.content()
                await _fits(page)
                await page.get_by_role("button").press("Enter")
                await page.wait_for_url(f"{base}/app/case?ref=Z-0001")
                await browser.close()
            assert blocked == []
            async with h.uow() as uow:
                case = await uow.cases.get("Z-0001")
            assert case is not None and case.step == "vot_lijst"
        finally:
            await runner.cleanup()
