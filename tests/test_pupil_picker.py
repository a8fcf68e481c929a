"""The /signaal pupil picker: a teacher picks from the pupils of their own signals, never from a
colleague's (whose labels, a safety case's included, they have no need to know); a forged pick of a
colleague's pupil is refused like any outdated button and attaches nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.settings import Settings
from flows.clock import FrozenClock
from storage.models.case import PupilRow
from tests.harness import BotHarness
from tests.privacy_helpers import signal

JUF_A, JUF_B = 41, 42
STALE = "Deze knop werkt niet meer."


async def test_the_pupil_picker_offers_only_my_own_pupils(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(JUF_A, "leerkracht", school_id=school)
        await h.register(JUF_B, "leerkracht", school_id=school)
        await signal(h, JUF_A, pupil="QX 7")

        await h.send(JUF_A, "/signaal")
        assert "QX 7" in h.buttons(JUF_A)  # my own pupil, to signal again
        await h.send(JUF_B, "/signaal")
        assert "QX 7" not in h.buttons(JUF_B) and "QX 7" not in h.last(JUF_B)

        async with h.uow() as uow:
            pupil_id = await uow.session.scalar(select(PupilRow.id).where(PupilRow.label == "QX 7"))
            member_b = await uow.members.by_telegram_id(JUF_B)
            assert member_b is not None
            [draft] = [c for c in await uow.cases.all() if c.created_by == member_b.id]
        await h.press(JUF_B, data=f"f:{draft.ref}:signaal:pupil:p:{pupil_id}")
        assert h.callback_answers(JUF_B)[-1] == STALE
        async with h.uow() as uow:
            still = await uow.cases.get(draft.ref)
        assert still is not None and still.pupil is None
