"""Issue 15 through the real bot: the IB-er's /zaak names the teacher who signalled and hides the timeline
behind a button; a past date question offers Vandaag / Gisteren / Eerder and takes "gisteren"."""

from __future__ import annotations

from datetime import timedelta

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

JUF, IB = 51, 52


async def _to_the_consent_date(h: BotHarness) -> str:
    school = await h.add_school()
    await h.register(JUF, "leerkracht", school_id=school, name="Juf Jansen")
    await h.register(IB, "ib", school_id=school, name="Bram Bakker")
    await h.send(JUF, "/signaal")
    await h.send(JUF, "QX 7")
    await h.press(JUF, "Zorg (thuis)")
    await h.press(JUF, "☐ Gedrag")
    await h.press(JUF, "Klaar")
    await h.send(JUF, "Komt vaak moe op school")
    await h.press(JUF, "Nee")
    await h.press(JUF, "Bevestigen")
    async with h.uow() as uow:
        [case] = await uow.cases.all()
    await h.send(IB, f"/zaak {case.ref}")
    await h.press(IB, "Oppakken: Beoordeling door de intern begeleider")
    await h.press(IB, "Ondersteuning van buiten de school (VOT)")
    await h.send(IB, f"/zaak {case.ref}")
    await h.press(IB, "Oppakken: Toestemming ouders voor het VOT")
    await h.press(IB, "Telefoon")
    await h.press(IB, "Ja, toestemming gegeven")
    return case.ref


async def test_a_past_date_question_offers_past_days_and_takes_dutch_words(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        ref = await _to_the_consent_date(h)
        assert "Wanneer heb je de ouders gevraagd?" in h.last(IB)
        buttons = h.buttons(IB)
        assert {"Vandaag", "Gisteren", "Eerder"} <= set(buttons)
        assert not any(b.startswith("Over ") for b in buttons)

        await h.press(IB, "Eerder")
        assert "vorige week dinsdag" in h.last(IB)
        before = await h.row_counts()
        await h.send(IB, "over 2 weken")  # a day still to come: refused, with an example, nothing kept
        assert "al gebeurd is" in h.last(IB) and "gisteren" in h.last(IB)
        assert await h.row_counts() == before

        await h.send(IB, "eergisteren")
        async with h.uow() as uow:
            case = await uow.cases.get(ref)
        assert case is not None
        [draft] = case.drafts.values()
        # The school's day (the frozen clock runs in the school's hours): two days back.
        assert draft.values["date"] == (clock.now().date() - timedelta(days=2)).isoformat()


async def test_the_ib_er_sees_who_signalled_and_the_timeline_behind_a_button(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        ref = await _to_the_consent_date(h)
        await h.send(IB, f"/zaak {ref}")
        view = h.last(IB)
        assert "Signaal van de leerkracht</b> — Juf Jansen (leerkracht)" in view
        assert "Ligt bij: Bram Bakker (intern begeleider)" in view
        assert "Tijdlijn</b>" not in view and "Typ initialen" not in view
        timeline = next(b for b in h.buttons(IB) if b.startswith("Tijdlijn tonen"))
        await h.press(IB, timeline)
        assert "<b>Tijdlijn</b>" in h.last(IB) and "Juf Jansen (leerkracht): Signaal" in h.last(IB)
        await h.press(IB, "Terug naar de zaak")
        assert "<b>Vastgelegd</b>" in h.last(IB)


async def test_the_teacher_adds_a_correction_after_confirming_and_it_shows_beside_her_note(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        ref = await _to_the_consent_date(h)
        await h.send(IB, f"/zaak {ref}")
        await h.press(IB, "Antwoord corrigeren")  # the IB-er corrects only her own steps
        assert "Signaal van de leerkracht" not in h.buttons(IB)

        await h.send(JUF, f"/zaak {ref}")
        await h.press(JUF, "Antwoord corrigeren")
        await h.press(JUF, "Toelichting")
        assert "Typ de correctie" in h.last(JUF)
        before = await h.row_counts()
        await h.send(JUF, "Daan de Vries komt vaak moe op school")  # a name: nothing kept, type again
        assert "[PERSOON]" in h.last(JUF) and "Daan" not in h.last(JUF)
        assert await h.row_counts() == before
        await h.send(JUF, "Komt vaak moe op school, vooral op maandag")
        assert "Correctie toegevoegd" in h.last(JUF)

        await h.send(IB, f"/zaak {ref}")
        view = h.last(IB)
        # The original stays; the correction is beside it, with who and when, and on the timeline.
        assert "Komt vaak moe op school\n   ↳ correctie van Juf Jansen" in view
        assert "vooral op maandag" in view
        await h.press(IB, next(b for b in h.buttons(IB) if b.startswith("Tijdlijn tonen")))
        assert "Juf Jansen (leerkracht): Signaal van de leerkracht (correctie)" in h.last(IB)
