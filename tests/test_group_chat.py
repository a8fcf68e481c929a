"""Case content never goes to a group or channel: the bot only says where it does work."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

GROUP = -1001234
CHANNEL = -1009999
INEKE = 1001
PRIVATE_ONLY = (
    "Ik werk alleen in privéchats: over leerlingen praat ik nooit in een groep. "
    "Stuur me een persoonlijk bericht."
)


async def test_group_messages_get_the_private_only_answer(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(INEKE, "ib", name="Ineke")
        before = await h.row_counts()

        await h.send(INEKE, "/help", chat_id=GROUP, chat_type="group")
        await h.send(777, "/start some-code", chat_id=GROUP, chat_type="supergroup")

        assert h.received(GROUP) == [PRIVATE_ONLY, PRIVATE_ONLY]
        assert h.received(INEKE) == []  # nothing leaks to the private chat either
        assert await h.row_counts() == before


async def test_channel_posts_get_the_private_only_answer(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.channel_post(CHANNEL, "/help")
        assert h.received(CHANNEL) == [PRIVATE_ONLY]
