"""The name guard in a case form, through the real bot: a note with a name comes back with placeholders
and is recorded only as such, if the teacher chooses; a note without names goes straight on."""

from __future__ import annotations

from sqlalchemy import select

from bot.settings import Settings
from flows.clock import FrozenClock
from storage.models import TimelineRow
from tests.harness import BotHarness

JUF = 41


async def _to_the_note(h: BotHarness) -> None:
    await h.send(JUF, "/signaal")
    await h.send(JUF, "QX 7")
    await h.press(JUF, "Zorg (thuis)")
    await h.press(JUF, "☐ Gedrag")
    await h.press(JUF, "Klaar")


async def test_a_name_in_a_note_comes_back_with_placeholders_and_only_that_is_kept(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(JUF, "leerkracht")
        await _to_the_note(h)
        await h.send(JUF, "Daan de Vries is vaak moe, moeder belt 06-12345678")
        assert "[PERSOON] is vaak moe, moeder belt [TELEFOON]" in h.last(JUF)
        assert h.buttons(JUF) == ["Gebruik deze tekst", "Opnieuw typen"]

        await h.press(JUF, "Opnieuw typen")
        assert "zonder namen" in h.last(JUF)
        await h.send(JUF, "Hij zegt dat Sem hem pest")
        await h.press(JUF, "Gebruik deze tekst")
        await h.press(JUF, "Nee")
        assert "Hij zegt dat [PERSOON] hem pest" in h.last(JUF)
        await h.press(JUF, "Bevestigen")

        async with h.uow() as uow:
            [case] = [c for c in await uow.cases.all() if c.status == "open"]
            stored = repr(case) + repr(await uow.session.scalars(select(TimelineRow)))
        assert "Hij zegt dat [PERSOON] hem pest" in repr(case)
        for original in ("Daan", "Vries", "06-12345678", "Sem "):
            assert original not in stored


async def test_a_note_without_names_goes_straight_on(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(JUF, "leerkracht")
        await _to_the_note(h)
        await h.send(JUF, "Leerling oogt moe en komt vaak te laat")
        assert "Gebruik deze tekst" not in h.buttons(JUF)
        await h.press(JUF, "Nee")
        await h.press(JUF, "Bevestigen")
        async with h.uow() as uow:
            [case] = [c for c in await uow.cases.all() if c.status == "open"]
        assert "Leerling oogt moe en komt vaak te laat" in repr(case)


async def test_a_stale_names_button_changes_nothing(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(JUF, "leerkracht")
        await _to_the_note(h)
        await h.send(JUF, "Daan is vaak moe")
        await h.press(JUF, "Gebruik deze tekst")
        async with h.uow() as uow:
            [case] = await uow.cases.all()
        await h.press(JUF, data=f"n:{case.ref}:use")  # the same press again: its question is answered
        assert h.callback_answers(JUF)[-1] == "Deze knop werkt niet meer."
        before = await h.row_counts()
        await h.press(JUF, data="n:Z-NOPE:use")  # forged: no such case, no question asked
        assert h.callback_answers(JUF)[-1] == "Deze knop werkt niet meer."
        assert await h.row_counts() == before
