"""Updates arriving at once, as aiogram hands them over in production: each update its own task
(polling's `handle_as_tasks`, the webhook's `handle_in_background` both end in `Dispatcher.feed_update`).
One chat's updates are handled one after another; different chats' at the same time, without one
failing the other."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import Runtime
from bot.emulator.state import EmulatorState
from bot.states import CaseForm
from flows.clock import FrozenClock
from storage.models.case import CaseRow
from storage.uow import UnitOfWork
from tests.feeding import bot, feed, teachers

__all__ = ["bot"]  # the fixture

TEACHERS = 12
QUICK = 6  # /signaal taps in a row


async def test_two_quick_signals_of_one_teacher_leave_one_draft(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    runtime, state = bot
    await teachers(runtime, state, clock, [501])

    first, second = state.user_sends(501, "/signaal"), state.user_sends(501, "/signaal")
    await asyncio.gather(feed(runtime, first), feed(runtime, second))

    async with UnitOfWork(runtime.sessionmaker) as uow:
        statuses = list(await uow.session.scalars(select(CaseRow.status).order_by(CaseRow.id)))
        member = await uow.members.by_telegram_id(501)
    # The second /signaal replaced the first's draft (discarded), as it does when typed slowly.
    assert statuses.count("draft") == 1, statuses
    form = runtime.dp.fsm.get_context(runtime.bot, chat_id=501, user_id=501)
    assert member is not None and await form.get_state() == CaseForm.open.state
    texts = [m.text for m in state.bot_messages(501)]
    assert len(texts) >= 3  # the welcome and a form question for each /signaal


async def test_first_signals_of_many_teachers_at_once_all_get_their_form(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    runtime, state = bot
    users = list(range(600, 600 + TEACHERS))
    await teachers(runtime, state, clock, users)
    before = {u: len(state.bot_messages(u)) for u in users}

    outcomes = await asyncio.gather(
        *(feed(runtime, state.user_sends(u, "/signaal")) for u in users), return_exceptions=True
    )

    assert [o for o in outcomes if o is not None] == []  # no IntegrityError on the route's first case
    assert all(len(state.bot_messages(u)) > before[u] for u in users)
    async with UnitOfWork(runtime.sessionmaker) as uow:
        drafts = await uow.session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.status == "draft")
        )
    assert drafts == TEACHERS


async def test_webhook_updates_of_one_chat_in_the_background_keep_their_order(
    bot: tuple[Runtime, EmulatorState], clock: FrozenClock
) -> None:
    """The webhook answers 200 at once and handles each body in its own task (as in production)."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.runner import build_webhook_app

    runtime, state = bot
    runtime.settings = runtime.settings.model_copy(update={"webhook_secret": "s3cret"})
    await teachers(runtime, state, clock, [502])
    for text in ("/signaal", "/annuleer"):  # the route's first case is behind us (see the test above)
        await feed(runtime, state.user_sends(502, text))
    app = build_webhook_app(runtime, handle_in_background=True)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    async with TestClient(TestServer(app)) as client:
        before = len(state.bot_messages(502))
        updates = [state.user_sends(502, "/signaal") for _ in range(QUICK)]
        responses = await asyncio.gather(
            *(client.post("/telegram/webhook", json=update, headers=headers) for update in updates)
        )
        assert [r.status for r in responses] == [200] * QUICK
        for _ in range(400):  # all handled: each /signaal asks the form's first question
            if len(state.bot_messages(502)) >= before + QUICK:
                break
            await asyncio.sleep(0.05)
    assert len(state.bot_messages(502)) >= before + QUICK  # every tap answered
    async with UnitOfWork(runtime.sessionmaker) as uow:
        statuses = list(await uow.session.scalars(select(CaseRow.status).order_by(CaseRow.id)))
    assert statuses.count("draft") == 1, statuses
