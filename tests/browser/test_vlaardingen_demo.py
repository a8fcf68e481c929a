"""`make run`'s demo in headless Chromium: the real bot, seeded like `make run` seeds it, played through
the page across three panes of the Vlaardingen demo school.

The bot is built by `emulator.demo.start_demo` (prepare + seed_demo + the page's hooks), polls the emulator
and runs the outbox in the background exactly as `zorgroute run` does; only the base clock and the case
references are fixed, so the texts and the clock header are the same on every run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from aiogram.types import ErrorEvent

from bot.runner import start_background, stop_background
from bot.settings import Settings
from emulator import Person
from emulator.demo import Demo, start_demo
from flows.clock import FrozenClock, SequentialIds

from .conftest import OpenPage

expect = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install playwright)"
).expect

pytestmark = pytest.mark.asyncio

SCHOOL = "Demo Vlaardingen (PO)"
# A Monday morning in a school week, Dutch time (as the golden transcripts use).
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)


@pytest_asyncio.fixture
async def running_demo(tmp_path: Path) -> AsyncIterator[Demo]:
    """What `make run` starts without a token, on a fresh SQLite file; fails the test on a bot error."""
    async with demo_running(tmp_path) as demo:
        yield demo


@contextlib.asynccontextmanager
async def demo_running(tmp_path: Path, **changes: object) -> AsyncIterator[Demo]:
    """The demo with `changes` to its settings (e.g. chat_content="minimal")."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path}/demo.db",
        telegram_bot_token=None,
        secret_key="test-secret-key",
        data_dir=tmp_path / "data",
        emulator_port=0,
    ).model_copy(update=changes)
    demo = await start_demo(settings, base_clock=FrozenClock(T0), ids=SequentialIds())
    runtime = demo.runtime
    errors: list[BaseException] = []

    async def record(event: ErrorEvent) -> bool:
        errors.append(event.exception)
        return True

    runtime.dp.errors.register(record)
    started = asyncio.Event()
    runtime.dp.startup.register(started.set)
    background = start_background(runtime)
    # The name guard loads in the background for a newcomer (a note typed meanwhile waits for it, with a
    # notice); here it is loaded first, so the page's answers come within the test's timeouts.
    await runtime.dp["name_guard"].wait()
    polling = asyncio.create_task(
        runtime.dp.start_polling(
            runtime.bot, handle_signals=False, polling_timeout=1, close_bot_session=False
        )
    )
    await started.wait()
    try:
        yield demo
    finally:
        with contextlib.suppress(RuntimeError):
            await runtime.dp.stop_polling()
        await polling
        await stop_background(runtime, background)
        await demo.close()
    assert not errors, f"the bot failed: {errors[0]!r}"


def member(demo: Demo, role: str) -> Person:
    return next(p for p in demo.roster if p.school == SCHOOL and role in p.roles)


async def test_vlaardingen_happy_path_across_three_panes(running_demo: Demo, open_page: OpenPage) -> None:
    page = await open_page(running_demo.emulator.base_url)
    await page.select_school(SCHOOL)
    juf = page.pane(member(running_demo, "leerkracht").name)
    ib = page.pane(member(running_demo, "ib").name)
    swv = page.pane(member(running_demo, "swv").name)

    # The teacher signals.
    await juf.send("/signaal")
    await juf.expect_text("Over welke leerling gaat het?")
    await juf.send("AB 5b")
    await juf.press("Zorg (thuis)")
    await juf.expect_text("Wat zie je?")
    for observation in ("Gedrag", "Thuissituatie"):
        await juf.press(f"☐ {observation}")
        await expect(juf.log.get_by_role("button", name=f"☑ {observation}")).to_be_visible()
    await juf.press("Klaar")
    await juf.expect_text("Wil je het kort toelichten?")
    await juf.send("Komt vaak moe en zonder ontbijt op school.")
    await juf.press("Nee")
    await juf.expect_text("Klopt dit?")
    await ib.expect_no_text("Nieuw signaal")  # nothing goes out before the teacher confirms
    await juf.press("Bevestigen")
    await juf.expect_text("Vastgelegd: Signaal van de leerkracht (Z-0001).")

    # The IB-er is notified live, picks it up and asks the parents' consent for the VOT.
    await ib.expect_text("Nieuw signaal van een leerkracht. Wil je het beoordelen?")
    await ib.press("Bekijken")
    await ib.press("Oppakken: Beoordeling door de intern begeleider")
    await ib.press("Ondersteuning van buiten de school (VOT)")
    await ib.expect_text("Vastgelegd: Beoordeling door de intern begeleider (Z-0001).")
    await ib.send("/mijn")
    await ib.press("Z-0001 · AB 5b — Toestemming ouders voor het VOT")
    await ib.press("Oppakken: Toestemming ouders voor het VOT")
    await ib.press("Telefoon")
    await ib.press("Ja, toestemming gegeven")
    await ib.press("Vandaag")
    await ib.expect_text("23 november 2026")
    await swv.expect_no_text("VOT-lijst")
    await ib.press("Bevestigen")
    await ib.expect_text("Vastgelegd: Toestemming ouders voor het VOT (Z-0001).")

    # The SWV-er sees the pupil arrive on the VOT list.
    await swv.expect_text("Er staat een leerling op de VOT-lijst die extra aandacht nodig heeft.")
    await expect(swv.section).to_be_in_viewport()
    path = await page.screenshot("vlaardingen")
    assert path.stat().st_size > 10_000

    # The IB-er reads the case: what was recorded per step as "label: answer", actors by name and role.
    await ib.send("/zaak Z-0001")
    await ib.expect_text("Toestemming ouders: gegeven")
    await ib.expect_text(f"{member(running_demo, 'leerkracht').name}, 23 november 2026")
    if folder := os.environ.get("ZORGROUTE_SCREENS"):  # the before/after pictures
        await page.page.set_viewport_size({"width": 1280, "height": 2000})  # the whole message in view
        await ib.log.locator(".bubble").last.screenshot(path=f"{folder}/zaak.png")

    # The clock control moves the bot's clock (follow-ups due may be none yet).
    await page.expect_clock(r"maandag 23 november 2026.*09:00")
    await page.advance_clock("+1 dag")
    await page.expect_clock(r"dinsdag 24 november 2026.*09:00")
    assert running_demo.clock.now() == T0.replace(day=24)


async def test_the_routekaart_shows_in_the_chat_and_opens_full_size(
    running_demo: Demo, open_page: OpenPage
) -> None:
    page = await open_page(running_demo.emulator.base_url)
    await page.select_school(SCHOOL)
    juf = page.pane(member(running_demo, "leerkracht").name)

    await juf.send("/route")
    await juf.expect_text("Routekaart: Route zorg/onderwijs Vlaardingen")
    await juf.expect_text("De kaart als SVG")
    for name in ("routekaart-vlaardingen.png", "routekaart-vlaardingen.svg"):
        picture = juf.log.get_by_role("img", name=f"Afbeelding: {name}")
        await expect(picture).to_be_visible()
        # Drawn, not a broken-image icon: the browser decoded it.
        width = await picture.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 600, name
    link = juf.log.get_by_role("link", name="routekaart-vlaardingen.svg op ware grootte openen")
    href = await link.get_attribute("href") or ""
    response = await page.page.request.get(running_demo.emulator.base_url.rstrip("/") + href)
    assert response.ok and response.headers["content-type"] == "image/svg+xml"
    assert b"Toestemming ouders" in await response.body()
    path = await page.screenshot("vlaardingen-routekaart")
    assert path.stat().st_size > 10_000
