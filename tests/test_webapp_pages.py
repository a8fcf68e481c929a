"""The Mini App's pages read through the same services as the chat: the dossier only for who may see the
case (CaseReader and the policy), each read audited with channel "webapp", in the member's language; the
member's lists as links to the dossiers."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.databases import SQLITE_ONLY
from tests.harness import BotHarness
from tests.webapp_helpers import init_data, open_session, webapp_client

JUF, IB, OTHER_IB, COLLEAGUE = 701, 702, 703, 704


async def _signal(h: BotHarness) -> None:
    school = await h.add_school()
    await h.register(JUF, "leerkracht", school_id=school)
    await h.register(IB, "ib", school_id=school, name="Ineke")
    await h.register(OTHER_IB, "ib", school_id=await h.add_school("De Klimop"))
    await h.send(JUF, "/signaal")
    await h.send(JUF, "ab 5B")
    await h.press(JUF, "Zorg (thuis)")
    await h.press(JUF, "☐ Thuissituatie")
    await h.press(JUF, "Klaar")
    await h.press(JUF, "Overslaan")
    await h.press(JUF, "Nee")
    await h.press(JUF, "Bevestigen")


@SQLITE_ONLY
async def test_dossier_shows_the_case_and_audits_the_read(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signal(h)
        assert await open_session(client, init_data(IB, clock.now())) == 200
        response = await client.get("/app/case", params={"ref": "Z-0001"})
        assert response.status == 200
        page = await response.text()
        assert "<b>Z-0001 · AB 5B</b>" in page and "De Regenboog" in page
        assert "Thuissituatie" in page and "<h2><b>Vastgelegd</b></h2>" in page
        assert "<h2><b>Tijdlijn</b></h2>" in page and 'lang="nl"' in page
        async with h.uow() as uow:
            entries = await uow.audit.for_case(["Z-0001"])
        reads = [e for e in entries if e.channel == "webapp"]
        assert [(e.action, e.via) for e in reads] == [("read", "webapp:case")]


@SQLITE_ONLY
async def test_dossier_of_another_school_is_refused_and_not_recorded(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signal(h)
        assert await open_session(client, init_data(OTHER_IB, clock.now())) == 200
        before = await h.row_counts()
        for ref in ("Z-0001", "Z-9999", "<script>"):
            response = await client.get("/app/case", params={"ref": ref})
            assert response.status == 404
            page = await response.text()
            assert "Die zaak bestaat niet, of je hebt er geen toegang toe." in page
            assert "AB 5B" not in page and "<script>" not in page.split("<main")[1]
        assert await h.row_counts() == before


@SQLITE_ONLY
async def test_lists_link_to_the_dossiers_in_the_members_language(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signal(h)
        await h.send(IB, "/taal")
        await h.press(IB, "English")
        assert await open_session(client, init_data(IB, clock.now())) == 200
        response = await client.get("/app/lists")
        page = await response.text()
        assert 'lang="en"' in page and "Waiting for you (1):" in page
        assert '<a href="/app/case?ref=Z-0001"><b>Z-0001</b> · AB 5B' in page
        dossier = await (await client.get("/app/case", params={"ref": "Z-0001"})).text()
        assert "<h2><b>Recorded</b></h2>" in dossier


@SQLITE_ONLY
async def test_signals_page_shows_the_teachers_own_signals_and_where_they_are(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signal(h)
        assert await open_session(client, init_data(JUF, clock.now())) == 200
        response = await client.get("/app/signals")
        assert response.status == 200
        page = await response.text()
        assert "Mijn signalen (1), met waar ze nu zijn:" in page and "Open signalen (1):" in page
        assert (
            '<a href="/app/case?ref=Z-0001"><b>Z-0001</b> · AB 5B — Beoordeling door de intern begeleider'
            in page
        )
        assert '<span aria-current="page">Signalen</span>' in page and 'href="/app/lists"' in page
        lists = await (await client.get("/app/lists")).text()
        assert '<a href="/app/signals">Signalen</a>' in lists  # linked from the lists' navigation
        async with h.uow() as uow:
            entries = await uow.audit.for_case(["Z-0001"])
        reads = [(e.action, e.via) for e in entries if e.channel == "webapp"]
        assert ("list", "webapp:signals") in reads


@SQLITE_ONLY
async def test_signals_page_hides_another_members_signals(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signal(h)
        await h.register(COLLEAGUE, "leerkracht", school_id=1)
        for who in (COLLEAGUE, OTHER_IB):
            client.session.cookie_jar.clear()
            assert await open_session(client, init_data(who, clock.now())) == 200
            page = await (await client.get("/app/signals")).text()
            assert "Z-0001" not in page and "AB 5B" not in page
            assert "Er zijn geen open signalen." in page and "Mijn signalen" not in page


@SQLITE_ONLY
async def test_signals_page_without_a_session_is_refused(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _signal(h)
        before = await h.row_counts()
        response = await client.get("/app/signals")
        assert response.status == 401
        assert "Z-0001" not in await response.text()
        assert await h.row_counts() == before
