"""A teacher taps through /signaal as fast as the bot answers, while Telegram enforces its flood limits
(1 message a second per chat after a short burst) and a quarter of the replies fail (429, 500, a cut
connection). Every action still counts exactly once and is answered: the teacher sees the same
conversation as one on a healthy API, only later."""

from __future__ import annotations

from bot.settings import Settings
from emulator.faults import FaultPlan
from flows.clock import FrozenClock
from tests.harness import BotHarness

CALM, HURRIED = 501, 502
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"})


async def _signal(h: BotHarness, teacher: int) -> None:
    await h.send(teacher, "/signaal")
    await h.send(teacher, "ab 5B")
    await h.press(teacher, "Zorg (thuis)")
    await h.press(teacher, "☐ Thuissituatie")
    await h.press(teacher, "Klaar")
    await h.press(teacher, "Overslaan")
    await h.press(teacher, "Nee")
    await h.press(teacher, "Bevestigen")


def _conversation(h: BotHarness, teacher: int, ref: str) -> list[str]:
    return [m.text.replace(ref, "REF") for m in h.state.bot_messages(teacher)]


async def _timeline(h: BotHarness, ref: str) -> list[tuple[str, str | None]]:
    async with h.uow() as uow:
        case = await uow.cases.get(ref)
    assert case is not None and case.status == "open"
    return [(entry.action, entry.step) for entry in case.timeline]


async def test_fast_taps_on_a_failing_api_lose_and_double_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        # Two schools of the same name, so the two teachers' conversations read alike.
        await h.register(CALM, "leerkracht", school_id=await h.add_school("De Regenboog"))
        await h.register(HURRIED, "leerkracht", school_id=await h.add_school("De Regenboog"))
        await _signal(h, CALM)

        h.state.inject_faults(
            FaultPlan(
                rate=0.25,
                kinds=("retry_after", "server_error", "drop"),
                retry_after=1,
                seed=4,
                methods=REPLY_METHODS,
                enforce_limits=True,
            )
        )
        await _signal(h, HURRIED)
        stats = h.state.stats()
        h.state.inject_faults(None)

        assert stats.too_many_requests > 0 and stats.server_errors > 0 and stats.dropped > 0
        assert _conversation(h, HURRIED, "Z-0002") == _conversation(h, CALM, "Z-0001")
        assert await _timeline(h, "Z-0002") == await _timeline(h, "Z-0001")
        assert [a.text for a in h.state.callback_answers(HURRIED)] == [
            a.text for a in h.state.callback_answers(CALM)
        ]
