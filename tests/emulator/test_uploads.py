"""sendDocument / sendPhoto: the uploaded bytes are kept so a test can open what the bot sent."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import BufferedInputFile

from emulator import EmulatorState, RunningEmulator

pytestmark = pytest.mark.asyncio

PDF = b"%PDF-1.4 route overview"


async def test_document_upload_is_stored(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    sent = await bot.send_document(42, BufferedInputFile(PDF, "route.pdf"), caption="Uw route")
    assert sent.document is not None and sent.document.file_name == "route.pdf"

    [stored] = state.files()
    assert (stored.filename, stored.mime_type, stored.size, stored.data) == (
        "route.pdf",
        "application/pdf",
        len(PDF),
        PDF,
    )
    mine = state.last_bot_message(42)
    assert (mine.document, mine.text) == ("route.pdf", "Uw route")

    # Sending again by file_id stores nothing new.
    await bot.send_document(42, sent.document.file_id)
    assert len(state.files()) == 1 and state.last_bot_message(42).document == "route.pdf"


async def test_photo_upload_is_stored(bot: Bot, state: EmulatorState) -> None:
    state.user_sends(42, "hallo")
    sent = await bot.send_photo(42, BufferedInputFile(b"\x89PNG fake", "kaart.png"))
    assert sent.photo and sent.photo[0].file_size == 9
    assert state.last_bot_message(42).photo == "kaart.png"
    assert state.files()[0].mime_type == "image/png"


async def test_the_page_can_show_a_photo_inline(
    bot: Bot, state: EmulatorState, emulator: RunningEmulator
) -> None:
    state.user_sends(42, "hallo")
    await bot.send_photo(42, BufferedInputFile(b"\x89PNG chart", "overzicht.png"))
    await bot.send_document(42, BufferedInputFile(b"<script>alert(1)</script>", "page.html"))
    photo, document = (f.file_id for f in state.files())
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emulator.base_url}/control/chats/42/messages") as resp:
            shown = (await resp.json())["messages"][-2]
        assert shown["file_id"] == photo
        async with http.get(f"{emulator.base_url}/control/files/{photo}") as resp:
            body = await resp.read()
            assert (resp.status, resp.content_type, body) == (200, "image/png", b"\x89PNG chart")
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
        async with http.get(f"{emulator.base_url}/control/files/{document}") as resp:
            # Pictures and PDFs show inline; anything else is only ever downloaded, never rendered.
            assert (resp.status, resp.content_type) == (200, "application/octet-stream")
