"""`make run`'s page on a phone (390×844, an iPhone 12–15): the demo must read as a product, not a test
tool, and every control must be reachable without sideways scrolling of the whole page."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from emulator.demo import Demo

from .conftest import OpenPage
from .test_vlaardingen_demo import SCHOOL, member, running_demo

if TYPE_CHECKING:  # playwright may be missing: the tests are then skipped, not broken
    from playwright.async_api import Locator, Page

__all__ = ["running_demo"]  # the fixture, imported so pytest finds it here

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install playwright)"
).expect

pytestmark = pytest.mark.asyncio

PHONE = {"width": 390, "height": 844}
# Where the 390 px screenshot goes besides test-artifacts/ (the before/after pictures).
SCREENS = os.environ.get("ZORGROUTE_SCREENS")


def _bare(text: str) -> str:
    """Brackets as spaces: "onderwijsspecialist (SWV)" reads as the name's "onderwijsspecialist SWV"."""
    return " ".join(text.replace("(", " ").replace(")", " ").split())


async def _no_sideways_overflow(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width - PHONE['width']} px too wide at 390 px"


async def _inside_viewport(locator: Locator) -> None:
    """On screen once scrolled to vertically: a phone user never has to pan sideways to reach it."""
    await locator.scroll_into_view_if_needed()
    box = await locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


async def test_the_page_works_on_a_phone(running_demo: Demo, open_page: OpenPage) -> None:
    demo = running_demo
    page = await open_page(demo.emulator.base_url)
    await page.page.set_viewport_size(PHONE)
    if SCREENS:
        await page.page.screenshot(path=f"{SCREENS}/demo-390.png")
    await _no_sideways_overflow(page.page)

    # Every school tab can be reached and chosen.
    schools = list(dict.fromkeys(p.school for p in demo.roster))
    assert len(schools) > 2
    for school in [*schools[1:], SCHOOL]:
        await _inside_viewport(page.page.get_by_role("tab", name=school, exact=True))
        await page.select_school(school)
    await _no_sideways_overflow(page.page)

    # Each pane names the person's role as the school says it, not as a code, and once: the demo's
    # names carry it ("Koen (intern begeleider)"), so no roles line repeats it under the name.
    for person in (p for p in demo.roster if p.school == SCHOOL):
        head = page.pane(person.name).section.locator(".pane-head")
        await expect(head.locator("h2")).to_have_text(person.name)
        said = _bare(await head.inner_text())
        for role in person.role_names:
            assert said.count(_bare(role)) == 1, said
    ib = page.pane(member(demo, "ib").name)
    await expect(ib.section.locator(".pane-head")).to_contain_text("(intern begeleider)")
    # The teacher is told what to try first.
    await expect(page.page.locator("body")).not_to_contain_text("taal: nl")
    juf = page.pane(member(demo, "leerkracht").name)
    await expect(juf.section.locator(".hint")).to_contain_text("Probeer /signaal")
    await expect(ib.section.locator(".hint")).to_contain_text("/mijn")

    # The panes fit the phone's width (they stack or swipe; the page itself never scrolls sideways).
    width = await juf.section.evaluate("node => node.getBoundingClientRect().width")
    assert width <= PHONE["width"]

    # The clock buttons are on screen and work.
    for label in ("+1 uur", "+1 dag", "+1 week"):
        await _inside_viewport(page.page.get_by_role("button", name=label, exact=True))
    await page.expect_clock(r"maandag 23 november 2026.*09:00")
    await page.advance_clock("+1 uur")
    await page.expect_clock(r"maandag 23 november 2026.*10:00")
    await _no_sideways_overflow(page.page)
    path = await page.screenshot("phone-390")
    assert path.stat().st_size > 10_000
