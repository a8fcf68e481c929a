"""Abuse resistance: floods get one polite slow-down, oversized input and forged buttons change nothing,
unknown update types are ignored safely."""

from __future__ import annotations

from typing import Any

from aiogram.types import Update
from sqlalchemy import select

from bot.app import Runtime
from bot.middlewares.turns import ANY_WORKER
from bot.settings import Settings
from emulator.state import EmulatorState
from flows.clock import FrozenClock
from storage.buckets import RedisBuckets
from storage.models.case import CaseRow
from tests import feeding
from tests.feeding import bot
from tests.harness import BotHarness
from tests.privacy_helpers import signal

__all__ = ["bot"]  # the fixture

TEACHER, IB = 1, 2
SLOW_DOWN = (
    "Even rustig aan: je stuurt veel berichten kort na elkaar. Wacht een paar seconden en probeer het dan "
    "opnieuw."
)
STALE = "Deze knop werkt niet meer."
NOT_FOUND = "Die zaak bestaat niet, of je hebt er geen toegang toe."


async def feed(h: BotHarness, update: dict[str, Any]) -> None:
    """Feed a raw update (any type) through the dispatcher; a handler error fails the test."""
    assert h.runtime is not None
    bot = h.runtime.bot
    await h.runtime.dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))
    await h.runtime.outbox.drain()
    assert h.errors == [], h.errors


async def test_a_flood_gets_one_slow_down_then_silence(settings: Settings, clock: FrozenClock) -> None:
    limited = settings.model_copy(update={"rate_limit_burst": 5, "rate_limit_seconds": 3600})
    async with BotHarness(limited, clock=clock) as h:
        await h.register(TEACHER, "leerkracht")  # one update of the five
        before = await h.row_counts()
        for _ in range(8):
            await h.send(TEACHER, "/help")
        replies = h.received(TEACHER)
        assert len(replies) == 5 and replies[-1] == SLOW_DOWN
        assert all(r.startswith("<b>") or "/help" in r for r in replies[:4])
        assert await h.row_counts() == before
        await h.send(IB, "hallo")  # someone else is not slowed down
        assert h.last(IB).startswith("Hallo! Zorgroute is alleen")


async def test_over_long_text_gets_a_clear_answer_and_changes_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        await h.send(TEACHER, "/signaal")
        await h.send(TEACHER, "AB 5")
        await h.press(TEACHER, "Zorg (thuis)")
        await h.press(TEACHER, "☐ Gedrag")
        await h.press(TEACHER, "Klaar")
        h.received(TEACHER)
        async with h.uow() as uow:
            [draft] = await uow.cases.all()
        before = await h.row_counts()

        await h.send(TEACHER, "x" * 10_000)  # more than Telegram allows: refused before any handler
        assert h.received(TEACHER) == [
            "Dat bericht is te lang (10000 tekens; maximaal 4096). Maak het korter en stuur het opnieuw."
        ]
        await h.send(TEACHER, "y" * 501)  # within Telegram's limit, over the field's: the engine says so
        [answer] = h.received(TEACHER)
        assert "500" in answer and "501" in answer and not answer.startswith("input.")
        assert await h.row_counts() == before
        async with h.uow() as uow:
            [still] = await uow.cases.all()
        assert still.drafts == draft.drafts


async def test_forged_and_oversized_buttons_are_stale_and_change_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        ref = await signal(h, TEACHER)
        before = await h.row_counts()
        forged = [
            f"f:{ref}:signaal:pupil:c:99",  # an option that does not exist
            f"f:{ref}:nope:area:c:0",  # a step that does not exist
            f"f:{ref}:ib_beoordeling:decision:v:2026-99-99",  # a date that is not one
            f"f:{ref}:ib_beoordeling:decision:p:77",  # a pupil of nobody
            f"o:{ref}:ib_beoordeling:extra",  # too many parts
            "a:Z-9999:ib_beoordeling:non_responsive",  # a case that does not exist
            "s:not-a-number",
            "z:" + "Z" * 200,  # larger than Telegram allows
            "\x00\xff:💥",
        ]
        for data in forged:
            await h.press(IB, data=data)
        answers = h.callback_answers(IB)
        assert len(answers) == len(forged)
        assert set(answers) <= {STALE, NOT_FOUND}, answers
        assert await h.row_counts() == before
        # A replayed press on a message whose keyboard is gone: no error (Telegram's "not modified").
        await h.press(TEACHER, data="lang:en")
        await h.press(TEACHER, data="lang:en")


async def test_unknown_and_unhandled_update_types_are_ignored(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        before = await h.row_counts()
        sent = next(m for m in h.state.messages(TEACHER) if not m.from_bot)
        user = {"id": TEACHER, "is_bot": False, "first_name": "Juf"}
        chat = {"id": TEACHER, "type": "private"}
        updates = [
            {"update_id": 9001, "edited_message": {**h.state.message_json(TEACHER, sent), "edit_date": 1}},
            {
                "update_id": 9002,
                "my_chat_member": {
                    "chat": chat,
                    "from": user,
                    "date": 1,
                    "old_chat_member": {"status": "member", "user": user},
                    "new_chat_member": {"status": "kicked", "user": user, "until_date": 0},
                },
            },
            {"update_id": 9003, "something_telegram_adds_later": {"x": 1}},
            {"update_id": 9004},
        ]
        await h.send(666, "hallo")  # a stranger, refused once ...
        stranger = next(m for m in h.state.messages(666) if not m.from_bot)
        updates.append(h.state.user_edits(666, stranger.message_id, "hallo??"))  # ... not again for an edit
        h.received(666)
        for update in updates:
            await feed(h, update)
        assert h.received(TEACHER) == [] and h.received(666) == []
        assert await h.row_counts() == before


async def test_a_forged_press_on_a_hidden_case_reads_as_a_made_up_one_and_writes_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    """Another school's IB-er crafts form buttons for a case that exists (at school A) and for a reference
    that does not: the answers must be the same, so a press cannot confirm a reference; and the cancel
    button must not re-save the case (a new revision and an audit row in the outsider's name)."""
    outsider = 3
    async with BotHarness(settings, clock=clock) as h:
        here, elsewhere = await h.add_school("School A"), await h.add_school("School B")
        await h.register(TEACHER, "leerkracht", school_id=here)
        await h.register(outsider, "ib", school_id=elsewhere)
        ref = await signal(h, TEACHER)
        before, revision = await h.row_counts(), await _revision(h, ref)
        for tail in ("signaal:-:x:", "ib_beoordeling:decision:c:0", "ib_beoordeling:decision:ok:", "x:y:d:"):
            await h.press(outsider, data=f"f:{ref}:{tail}")
            await h.press(outsider, data=f"f:Z-9999:{tail}")
        answers = h.callback_answers(outsider)
        assert answers[0::2] == answers[1::2] == [NOT_FOUND] * 4, answers
        assert await h.row_counts() == before
        assert await _revision(h, ref) == revision


async def _revision(h: BotHarness, ref: str) -> int:
    async with h.uow() as uow:
        return int(await uow.session.scalar(select(CaseRow.revision).where(CaseRow.ref == ref)) or 0)


IB_DOWN = 7101


async def test_a_shared_limit_that_fails_leaves_the_workers_own_limit(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    """The shared store of the flood limit unreachable (a Redis that is down): the update is handled under
    this worker's own limit, not lost."""
    runtime, state = bot
    await feeding.teachers(runtime, state, clock, [IB_DOWN])
    down = RedisBuckets("redis://127.0.0.1:1/0", prefix="zorgroute-test:down:")
    runtime.dp["shared_limits"] = down
    runtime.dp[ANY_WORKER] = True  # the webhook door's: only there is the shared store asked
    try:
        await feeding.feed(runtime, state.user_sends(IB_DOWN, "/help"))
    finally:
        await down.close()
    assert "/signaal" in (state.last_bot_message(IB_DOWN).text or "")  # /help answered
