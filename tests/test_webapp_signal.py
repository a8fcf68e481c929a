"""The teacher's signal and the case actions in the Mini App: every question of the signal on one screen,
the same validation and name guard as the chat, a summary to confirm; the dossier's actions go through
the same engine, ask first when they alert others, and are audited with the Mini App as their channel.
In minimal-content mode /signaal offers only the Mini App's form: the chat asks no question."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.databases import SQLITE_ONLY
from tests.harness import BotHarness
from tests.webapp_helpers import init_data, open_session, webapp_client

JUF, IB, SWV = 911, 912, 913
SIGNAL = {
    "pupil": "ab 5B",
    "area": "zorg",
    "observations": ["thuissituatie", "verzuim"],
    "notes": "Komt vaak te laat en is moe in de klas",
    "safety": "nee",
}


async def _school(h: BotHarness) -> int:
    school = await h.add_school()
    for user_id, role in ((JUF, "leerkracht"), (IB, "ib"), (SWV, "swv")):
        await h.register(user_id, role, school_id=school)
    return school


@SQLITE_ONLY
async def test_the_signal_on_one_screen_reaches_the_ib(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        school = await _school(h)
        assert await open_session(client, init_data(JUF, clock.now())) == 200
        form = await client.get("/app/signal")
        page = await form.text()
        assert form.status == 200
        assert page.count("<fieldset>") == 3 and 'name="pupil"' in page and "<textarea" in page
        assert f'name="school" value="{school}"' in page

        summary = await client.post("/app/signal", data={**SIGNAL, "school": str(school)})
        assert summary.status == 200
        shown = await summary.text()
        assert "Klopt dit?" in shown and "AB 5B" in shown and "Thuissituatie" in shown
        assert SIGNAL["notes"] in shown  # the summary is read in the Mini App, not in the chat

        done = await client.post(
            "/app/confirm", data={"ref": "Z-0001", "step": "signaal"}, allow_redirects=False
        )
        assert done.status == 303 and done.headers["Location"] == "/app/case?ref=Z-0001"
        async with h.uow() as uow:
            case = await uow.cases.get("Z-0001")
            entries = await uow.audit.for_case(["Z-0001"])
        assert case is not None and case.step == "ib_beoordeling" and case.pupil is not None
        assert case.data["signaal"]["notes"] == SIGNAL["notes"]
        assert any(e.channel == "webapp" and e.via == "webapp:signal" for e in entries)
        assert h.runtime is not None
        await h.runtime.outbox.drain()
        assert any("Z-0001" in text for text in h.received(IB))


@SQLITE_ONLY
async def test_a_name_in_the_note_or_a_missing_answer_stores_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        school = await _school(h)
        assert await open_session(client, init_data(JUF, clock.now())) == 200
        before = await h.row_counts()

        named = {
            **SIGNAL,
            "school": str(school),
            "notes": "Daan de Vries is vaak moe, moeder belt 06-12345678",
        }
        refused = await client.post("/app/signal", data=named)
        assert refused.status == 422
        page = await refused.text()
        assert "namen of contactgegevens" in page
        assert "Daan de Vries" not in page and "06-12345678" not in page  # only the redacted text returns
        assert 'value="thuissituatie" checked' in page  # the other answers come back

        missing = await client.post("/app/signal", data={**SIGNAL, "school": str(school), "area": ""})
        assert missing.status == 422
        bad_pupil = await client.post("/app/signal", data={**SIGNAL, "school": str(school), "pupil": "?"})
        assert bad_pupil.status == 422
        foreign = await client.post(
            "/app/signal", data={**SIGNAL, "school": str(school)}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status == 403
        assert await h.row_counts() == before
        async with h.uow() as uow:
            assert await uow.cases.get("Z-0001") is None


@SQLITE_ONLY
async def test_only_who_may_signal_gets_the_form(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        school = await _school(h)
        assert await open_session(client, init_data(SWV, clock.now())) == 200
        before = await h.row_counts()
        assert (await client.get("/app/signal")).status == 403
        posted = await client.post("/app/signal", data={**SIGNAL, "school": str(school)})
        assert posted.status == 403
        assert await h.row_counts() == before


async def _signalled(h: BotHarness, client: TestClient) -> None:
    school = await _school(h)
    assert await open_session(client, init_data(JUF, h.clock.now())) == 200
    assert (await client.post("/app/signal", data={**SIGNAL, "school": str(school)})).status == 200
    await client.post("/app/confirm", data={"ref": "Z-0001", "step": "signaal"})


@SQLITE_ONLY
async def test_an_action_that_alerts_others_asks_first(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signalled(h, client)
        assert await open_session(client, init_data(IB, clock.now())) == 200
        dossier = await (await client.get("/app/case", params={"ref": "Z-0001"})).text()
        assert 'name="action" value="gezin_reageert_niet"' in dossier
        before = await h.row_counts()
        asked = await client.post(
            "/app/action", data={"ref": "Z-0001", "step": "ib_beoordeling", "action": "gezin_reageert_niet"}
        )
        assert asked.status == 200
        page = await asked.text()
        assert "Weet je het zeker?" in page and 'name="sure" value="1"' in page
        assert await h.row_counts() == before  # nothing changes until the yes

        done = await client.post(
            "/app/action",
            data={"ref": "Z-0001", "step": "ib_beoordeling", "action": "gezin_reageert_niet", "sure": "1"},
            allow_redirects=False,
        )
        assert done.status == 200  # what the engine says back, with the way to the dossier
        assert 'href="/app/case?ref=Z-0001"' in await done.text()
        async with h.uow() as uow:
            case = await uow.cases.get("Z-0001")
            entries = await uow.audit.for_case(["Z-0001"])
        assert case is not None and "non_responsive" in case.flags
        assert any(e.channel == "webapp" and e.via == "webapp:action" for e in entries)


@SQLITE_ONLY
async def test_an_action_on_a_case_out_of_sight_is_not_found(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signalled(h, client)
        assert await open_session(client, init_data(SWV, clock.now())) == 200  # before consent: not theirs
        before = await h.row_counts()
        forged = await client.post(
            "/app/action",
            data={"ref": "Z-0001", "step": "ib_beoordeling", "action": "zorg_veiligheid", "sure": "1"},
        )
        assert forged.status == 404
        assert await h.row_counts() == before


@SQLITE_ONLY
async def test_minimal_chat_offers_the_signal_in_the_app(settings: Settings, clock: FrozenClock) -> None:
    minimal = settings.model_copy(
        update={"chat_content": "minimal", "webapp_url": "https://zorgroute.test/app/"}
    )
    async with BotHarness(minimal, clock=clock) as h:
        await _school(h)
        await h.send(JUF, "/signaal")
        assert h.buttons(JUF) == ["Signaal invullen in de app"]
        opened = h.state.last_bot_message(JUF).buttons[0][0].web_app
        assert opened == "https://zorgroute.test/app/?to=signal"
        await h.send(JUF, "ab 5B")  # no form is open in the chat: nothing is started
        async with h.uow() as uow:
            assert await uow.cases.get("Z-0001") is None
