"""Shared steps for the privacy tests: a teacher signals through the real bot (Vlaardingen route)."""

from __future__ import annotations

from tests.harness import BotHarness


async def signal(h: BotHarness, teacher: int, *, pupil: str = "QX 7", notes: str | None = None) -> str:
    """`teacher` files a Vlaardingen signal about `pupil`, optionally with free text; returns its ref."""
    await h.send(teacher, "/signaal")
    await h.send(teacher, pupil)
    await h.press(teacher, "Zorg (thuis)")
    await h.press(teacher, "☐ Gedrag")
    await h.press(teacher, "Klaar")
    if notes is None:
        await h.press(teacher, "Overslaan")
    else:
        await h.send(teacher, notes)
    await h.press(teacher, "Nee")
    await h.press(teacher, "Bevestigen")
    async with h.uow() as uow:
        cases = await uow.cases.all()
    return cases[-1].ref
