"""A step's form in the Mini App: all questions on one screen, the answers fed through the same engine
and CaseService as the chat (validation, the name guard, a summary to confirm), the step submitted and
its notifications sent; a refused form stores nothing."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness
from tests.webapp_helpers import init_data, open_session, webapp_client

JUF, IB, SWV = 901, 902, 903
CONSENT = {"ref": "Z-0001", "step": "toestemming", "method": "telefoon", "result": "given"}


async def _until_consent(h: BotHarness) -> None:
    school = await h.add_school()
    for user_id, role in ((JUF, "leerkracht"), (IB, "ib"), (SWV, "swv")):
        await h.register(user_id, role, school_id=school)
    await h.send(JUF, "/signaal")
    await h.send(JUF, "ab 5B")
    await h.press(JUF, "Zorg (thuis)")
    await h.press(JUF, "☐ Thuissituatie")
    await h.press(JUF, "Klaar")
    await h.press(JUF, "Overslaan")
    await h.press(JUF, "Nee")
    await h.press(JUF, "Bevestigen")
    await h.press(IB, "Bekijken")
    await h.press(IB, "Oppakken: Beoordeling door de intern begeleider")
    await h.press(IB, "Ondersteuning van buiten de school (VOT)")
    h.received(SWV)


async def test_the_consent_step_on_one_screen_reaches_the_vot_list(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _until_consent(h)
        assert await open_session(client, init_data(IB, clock.now())) == 200
        dossier = await (await client.get("/app/case", params={"ref": "Z-0001"})).text()
        assert 'href="/app/step?ref=Z-0001&amp;step=toestemming"' in dossier
        form = await (await client.get("/app/step", params={"ref": "Z-0001", "step": "toestemming"})).text()
        assert form.count("<fieldset>") == 2 and 'type="date"' in form

        summary = await client.post("/app/step", data={**CONSENT, "date": "2026-11-23"})
        assert summary.status == 200
        page = await summary.text()
        assert "Klopt dit?" in page and "23 november 2026" in page and "Telefoon" in page

        done = await client.post(
            "/app/confirm", data={"ref": "Z-0001", "step": "toestemming"}, allow_redirects=False
        )
        assert done.status == 303 and done.headers["Location"] == "/app/case?ref=Z-0001"
        async with h.uow() as uow:
            case = await uow.cases.get("Z-0001")
            entries = await uow.audit.for_case(["Z-0001"])
        assert case is not None and case.step == "vot_lijst" and case.consent_given
        assert any(e.channel == "webapp" and e.via == "webapp:step" for e in entries)
        assert h.runtime is not None
        await h.runtime.outbox.drain()
        assert any("op de VOT-lijst" in text for text in h.received(SWV))


async def test_a_refused_form_comes_back_and_stores_nothing(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _until_consent(h)
        assert await open_session(client, init_data(IB, clock.now())) == 200
        before = await h.row_counts()
        async with h.uow() as uow:
            was = await uow.cases.get("Z-0001")

        missing = await client.post("/app/step", data=CONSENT)  # no date
        assert missing.status == 422
        assert 'value="telefoon" checked' in await missing.text()  # the answers come back
        bad = await client.post("/app/step", data={**CONSENT, "date": "23-11-2026x"})
        assert bad.status == 422
        foreign = await client.post(
            "/app/step", data={**CONSENT, "date": "2026-11-23"}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status == 403
        async with h.uow() as uow:
            case = await uow.cases.get("Z-0001")
        assert case is not None and was is not None and case.step == "toestemming"
        assert (case.drafts, case.data) == (was.drafts, was.data)
        assert await h.row_counts() == before


async def test_the_name_guard_checks_free_text_from_the_form(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _until_consent(h)
        assert await open_session(client, init_data(IB, clock.now())) == 200
        assert (await client.post("/app/step", data={**CONSENT, "date": "2026-11-23"})).status == 200
        await client.post("/app/confirm", data={"ref": "Z-0001", "step": "toestemming"})

        assert await open_session(client, init_data(SWV, clock.now())) == 200
        before = await h.row_counts()
        note = {
            "ref": "Z-0001",
            "step": "vot_lijst",
            "note": "Daan de Vries is vaak moe, moeder belt 06-12345678",
        }
        refused = await client.post("/app/step", data=note)
        assert refused.status == 422
        page = await refused.text()
        assert "namen of contactgegevens" in page
        assert "Daan de Vries" not in page and "06-12345678" not in page  # only the redacted text returns
        assert await h.row_counts() == before
