"""Anyone without a valid invite gets a polite refusal, and nothing about them is stored."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

STRANGER = 666
REFUSAL = (
    "Hallo! Zorgroute is alleen voor professionals die door hun school zijn uitgenodigd. "
    "Vraag de intern begeleider of de beheerder van je school om een persoonlijke "
    "uitnodigingslink. Er is niets over jou opgeslagen."
)
BUTTON_REFUSAL = (
    "Zorgroute is alleen voor uitgenodigde professionals. Vraag je intern begeleider of schoolbeheerder "
    "om een uitnodigingslink."
)


async def test_a_stranger_is_refused_and_leaves_no_trace(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.invite(await h.add_school(), "ib")  # some data exists; it must not change
        before = await h.row_counts()

        sent = [
            "hallo",
            "/help",
            "/taal",
            "/annuleer",
            "/cancel",
            "/start",
            "/signaal Sam",
            "/start@zorgroute_bot",
        ]
        for text in sent:
            await h.send(STRANGER, text, first_name="Onbekend")
        assert h.received(STRANGER) == [REFUSAL] * len(sent)

        await h.press(STRANGER, data="lang:en")
        await h.press(STRANGER, data="anything")
        assert h.callback_answers(STRANGER) == [BUTTON_REFUSAL, BUTTON_REFUSAL]

        await h.send(STRANGER, "hello", language_code="en")
        assert h.last(STRANGER) == REFUSAL  # the configured language; no per-stranger state exists

        assert await h.row_counts() == before
        assert await h.member(STRANGER) is None


async def test_an_edit_by_a_stranger_is_ignored(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.send(STRANGER, "hallo")
        before = await h.row_counts()
        first = h.state.messages(STRANGER)[0]
        update = h.state.user_edits(STRANGER, first.message_id, "/start abc")
        await h.state.wait_consumed(update["update_id"])
        assert len(h.received(STRANGER, all=True)) == 1
        assert await h.row_counts() == before
