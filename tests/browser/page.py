"""Drive the emulator's browser page as the people on it: `page.pane("Anna").send("/start")`.

Everything waits on what the page shows (Playwright's `expect`), never on a delay, so a test reads
like the conversation: who types or presses what, and what each pane then shows.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, Playwright, ViewportSize, expect

CHROMIUM = os.environ.get("ZORGROUTE_CHROMIUM", "/usr/bin/chromium")
# --no-sandbox: CI containers run as root without user namespaces; the pages are our own, on loopback.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT: ViewportSize = {"width": 1600, "height": 900}  # the size the page is designed to read at
TIMEOUT_MS = 20_000  # a passing step takes milliseconds; the bound only matters when a step fails, and a
# loaded 2-core CI machine (xdist workers, PostgreSQL, Chromium) took more than 5 s to load the page once


async def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's chromium, never a downloaded one: `playwright install` is not part of our setup."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


class ChatPane:
    """One person's pane, found by their name as the page labels it for screen readers."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = name
        # "Chat van Anna (leerkracht)"; just "Chat van Koen (intern begeleider)" when the name says the role.
        self.section = page.locator(
            f'section[aria-label="Chat van {name}"], section[aria-label^="Chat van {name} ("]'
        )
        self.log = self.section.locator('[role="log"]')
        self.input = self.section.get_by_label(f"Bericht als {name}", exact=True)
        self.toast = self.section.locator('[role="status"]')

    async def send(self, text: str) -> None:
        """Type into the pane and press Enter, as a person would."""
        await self.input.fill(text)
        await self.input.press("Enter")
        await self.expect_text(text)  # the page shows a message once the emulator has it

    async def press(self, button_text: str) -> None:
        """Press the newest inline button with exactly this label."""
        button = self.log.get_by_role("button", name=button_text, exact=True).last
        await expect(button).to_be_enabled(timeout=TIMEOUT_MS)
        await button.click()

    def message(self, substring: str) -> Locator:
        """The newest message containing this text."""
        return self.log.locator(".msg", has_text=substring).last

    async def expect_text(self, substring: str) -> None:
        await expect(self.log).to_contain_text(substring, timeout=TIMEOUT_MS)

    async def expect_no_text(self, substring: str) -> None:
        await expect(self.log).not_to_contain_text(substring, timeout=TIMEOUT_MS)

    async def expect_edited(self, substring: str) -> None:
        """The message with this text carries the page's "bewerkt" mark."""
        await expect(self.message(substring).locator(".edited")).to_have_text("bewerkt", timeout=TIMEOUT_MS)

    async def expect_toast(self, text: str) -> None:
        await expect(self.toast).to_have_text(text, timeout=TIMEOUT_MS)

    async def expect_buttons(self, *labels: str) -> None:
        """The newest message with a keyboard shows exactly these labels, in order."""
        keyboard = self.log.locator(".keyboard").last
        await expect(keyboard.get_by_role("button")).to_have_text(list(labels), timeout=TIMEOUT_MS)

    async def expect_badge(self, count: int) -> None:
        await expect(self.section.locator(".badge")).to_have_text(f"✉ {count}", timeout=TIMEOUT_MS)


class Outbox:
    def __init__(self, page: Page) -> None:
        self.section = page.locator('section[aria-label^="Outbox"]')

    async def expect_text(self, substring: str) -> None:
        await expect(self.section).to_contain_text(substring, timeout=TIMEOUT_MS)


class EmulatorPage:
    """The whole page: panes by name, the outbox, the clock and school tabs, and screenshots."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.outbox = Outbox(page)
        self.clock = page.locator("#clock-now")

    @classmethod
    async def open(cls, browser: Browser, base_url: str) -> EmulatorPage:
        page = await browser.new_page(viewport=VIEWPORT, locale="nl-NL", timezone_id="Europe/Amsterdam")
        page.set_default_timeout(TIMEOUT_MS)
        await page.goto(f"{base_url}/")
        # The page marks itself ready after loading the roster, histories and clock over a live stream.
        await page.wait_for_selector('body[data-ready="yes"][data-live="yes"]', timeout=TIMEOUT_MS)
        return cls(page)

    def pane(self, name: str) -> ChatPane:
        return ChatPane(self.page, name)

    async def advance_clock(self, label: str) -> None:
        """Press a clock button by its label: "+1 uur", "+1 dag" or "+1 week"."""
        await self.page.get_by_role("button", name=label, exact=True).click()

    async def expect_clock(self, pattern: str) -> None:
        await expect(self.clock).to_have_text(re.compile(pattern), timeout=TIMEOUT_MS)

    async def select_school(self, school: str) -> None:
        tab = self.page.get_by_role("tab", name=school, exact=True)
        await tab.click()
        await expect(tab).to_have_attribute("aria-selected", "true", timeout=TIMEOUT_MS)

    async def screenshot(self, name: str) -> Path:
        """A full-page picture under test-artifacts/, kept by CI."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"browser-{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path
