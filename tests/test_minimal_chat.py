"""Minimal-content chat (ZORGROUTE_CHAT_CONTENT=minimal): along a whole Vlaardingen path, every step filled
in through the Mini App's HTTP endpoints, nothing the bot sends through Telegram — messages, edits,
keyboards, press answers — carries a recorded answer; the chat carries notifications and the buttons
that open the Mini App (the dossier from notifications and /zaak, a step's form from Oppakken)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.render.text import Translator
from bot.settings import Settings, SettingsError, load_settings
from flows.clock import FrozenClock
from flows.route import Route
from tests.databases import SQLITE_ONLY
from tests.harness import BotHarness
from tests.webapp_helpers import init_data, open_session, webapp_client

JUF, IB, SWV, GS = 801, 802, 803, 804
NOTE = "Komt vaak te laat en is moe in de klas"
APP_URL = "https://zorgroute.test/app/"


def _minimal(settings: Settings) -> Settings:
    return settings.model_copy(update={"chat_content": "minimal", "webapp_url": APP_URL})


async def _vlaardingen_path(h: BotHarness) -> None:
    """The whole path in the chat (`full` mode): every question asked and answered there."""
    await _members(h)
    await h.send(JUF, "/signaal")
    await h.send(JUF, "ab 5B")
    await h.press(JUF, "Zorg (thuis)")
    await h.press(JUF, "☐ Thuissituatie")
    await h.press(JUF, "Klaar")
    await h.send(JUF, NOTE)
    await h.press(JUF, "Nee")
    await h.press(JUF, "Bevestigen")
    await h.press(IB, "Bekijken")
    await h.press(IB, "Oppakken: Beoordeling door de intern begeleider")
    await h.press(IB, "Ondersteuning van buiten de school (VOT)")
    await h.send(IB, "/mijn")
    await h.press(IB, h.buttons(IB)[0])
    await h.press(IB, "Oppakken: Toestemming ouders voor het VOT")
    await h.press(IB, "Telefoon")
    await h.press(IB, "Ja, toestemming gegeven")
    await h.send(IB, "23-11-2026")
    await h.press(IB, "Bevestigen")
    await h.send(SWV, "/lijst")
    await h.press(SWV, h.buttons(SWV)[0])
    await h.press(SWV, "Oppakken: Op de VOT-lijst (onderwijsspecialist SWV)")
    await h.send(SWV, "Graag snel oppakken, veel verzuim.")
    await h.press(SWV, "Bevestigen")
    # The GS takes it to its end: the wijkteam check, the contact with the family, the result.
    await h.send(GS, "/zaak Z-0001")
    await h.press(GS, "Oppakken: Check bij het wijkteam (gezinsspecialist)")
    await h.press(GS, "Ja")
    await h.send(GS, "Bekend bij het wijkteam; gedragswetenschapper kijkt mee.")
    await h.press(GS, "Bevestigen")
    await h.send(GS, "/zaak Z-0001")
    await h.press(GS, "Oppakken: Contact met het gezin (gezinsspecialist)")
    await h.press(GS, "Videobellen")
    await h.press(GS, "Ja")
    await h.send(GS, "Gesprek gehad; ouders willen meer hulp.")
    await h.press(GS, "Bevestigen")
    await h.send(GS, "/zaak Z-0001")
    await h.press(GS, "Oppakken: Resultaat van de aanpak (gezinsspecialist)")
    await h.press(GS, "Voldoende")
    await h.press(GS, "Bevestigen")


async def _members(h: BotHarness) -> int:
    school = await h.add_school()
    for user_id, role in ((JUF, "leerkracht"), (IB, "ib"), (SWV, "swv"), (GS, "gs")):
        await h.register(user_id, role, school_id=school)
    return school


async def _in_app(
    h: BotHarness, client: TestClient, user_id: int, step: str, answers: dict[str, Any]
) -> None:
    """`user_id` fills in `step` of Z-0001 in the Mini App (signed initData, the one-screen form, the
    summary confirmed); then the notifications it caused are delivered to the chats."""
    assert await open_session(client, init_data(user_id, h.clock.now())) == 200
    form = await client.get("/app/step", params={"ref": "Z-0001", "step": step})
    assert form.status == 200, (step, await form.text())
    posted = await client.post(
        "/app/step", data={"ref": "Z-0001", "step": step, **answers}, allow_redirects=False
    )
    if posted.status == 200:  # the summary, read in the Mini App: confirm it
        posted = await client.post(
            "/app/confirm", data={"ref": "Z-0001", "step": step}, allow_redirects=False
        )
    assert posted.status == 303, (step, posted.status, await posted.text())
    assert h.runtime is not None
    await h.runtime.outbox.drain()


async def _vlaardingen_in_app(h: BotHarness, client: TestClient) -> None:
    """The same path in minimal mode: the chat only opens the Mini App; every answer is given there."""
    school = await _members(h)
    await h.send(JUF, "/signaal")
    assert h.buttons(JUF) == ["Signaal invullen in de app"]  # no form in the chat
    assert await open_session(client, init_data(JUF, h.clock.now())) == 200
    signal = {
        "school": str(school),
        "pupil": "ab 5B",
        "area": "zorg",
        "observations": ["thuissituatie"],
        "notes": NOTE,
        "safety": "nee",
    }
    assert (await client.post("/app/signal", data=signal)).status == 200
    done = await client.post("/app/confirm", data={"ref": "Z-0001", "step": "signaal"}, allow_redirects=False)
    assert done.status == 303
    assert h.runtime is not None
    await h.runtime.outbox.drain()
    # The IB-er is told in the chat and picks it up there: the form opens in the Mini App.
    await h.press(IB, "Bekijken")
    await h.press(IB, "Oppakken: Beoordeling door de intern begeleider")
    assert h.buttons(IB) == ["Invullen in de app"]
    await _in_app(h, client, IB, "ib_beoordeling", {"decision": "extern"})
    await h.send(IB, "/mijn")
    await h.press(IB, h.buttons(IB)[0])
    await _in_app(
        h, client, IB, "toestemming", {"method": "telefoon", "result": "given", "date": "2026-11-23"}
    )
    await h.send(SWV, "/lijst")
    await h.press(SWV, h.buttons(SWV)[0])
    await h.press(SWV, "Oppakken: Op de VOT-lijst (onderwijsspecialist SWV)")
    await _in_app(h, client, SWV, "vot_lijst", {"note": "Graag snel oppakken, veel verzuim."})
    await h.send(GS, "/zaak Z-0001")
    await _in_app(
        h,
        client,
        GS,
        "gs_check",
        {"known": "ja", "agreement": "Bekend bij het wijkteam; gedragswetenschapper kijkt mee."},
    )
    await _in_app(
        h,
        client,
        GS,
        "gs_contact",
        {"channel": "video", "reached": "ja", "result": "Gesprek gehad; ouders willen meer hulp."},
    )
    await h.send(GS, "/zaak Z-0001")
    await h.press(GS, "Oppakken: Resultaat van de aanpak (gezinsspecialist)")
    await _in_app(h, client, GS, "gs_resultaat", {"sufficient": "voldoende"})


def _recorded_answers(t: Translator, route: Route, data: dict[str, dict[str, Any]]) -> set[str]:
    """Every recorded answer as a reader would see it (labels translated, dates written out), except the
    pupil label: that is the "that" information minimal mode keeps."""
    out: set[str] = set()
    for step_id, values in data.items():
        for field in route.step(step_id).fields:
            value = values.get(field.id)
            if value in (None, "", []) or field.kind in ("pupil", "member"):
                continue
            labels = {o.value: o.label for o in field.options}
            for one in value if isinstance(value, list) else [value]:
                if field.kind in ("choice", "multi"):
                    out.add(t.raw(labels[one]))
                elif field.kind == "date":
                    out.add(t.date(one))
                else:
                    out.add(str(one))
    return out


@SQLITE_ONLY
async def test_minimal_mode_sends_no_recorded_answer_through_telegram(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(_minimal(settings), clock=clock) as h, webapp_client(h) as client:
        events = h.state.subscribe()
        await _vlaardingen_in_app(h, client)
        answers = await _answers(h)
        sent = _sent(events)
        assert len(sent) > 20
        leaks = [(answer, text) for text in sent for answer in answers if answer in text]
        assert leaks == []
        # Notifications and /zaak carry the way to the content instead, Oppakken the way to the form.
        opened = [b for m in h.state.bot_messages(GS) for row in m.buttons for b in row if b.web_app]
        assert opened and all(b.web_app.startswith(f"{APP_URL}?ref=Z-0001") for b in opened if b.web_app)
        assert {b.text for b in opened} == {"Openen in Zorgroute", "Invullen in de app"}
        assert f"{APP_URL}?ref=Z-0001&step=gs_resultaat" in {b.web_app for b in opened}


@SQLITE_ONLY
async def test_full_mode_shows_the_answers_in_the_chat(settings: Settings, clock: FrozenClock) -> None:
    """The same path in `full` mode: the check above would catch the answers, which the chat then shows."""
    async with BotHarness(settings.model_copy(update={"chat_content": "full"}), clock=clock) as h:
        events = h.state.subscribe()
        await _vlaardingen_path(h)
        answers = await _answers(h)
        sent = "\n".join(_sent(events))
        assert {NOTE, "Thuissituatie", "Videobellen"} <= {a for a in answers if a in sent}


@SQLITE_ONLY
async def test_minimal_mode_oppakken_opens_the_form_in_the_app_and_asks_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(_minimal(settings), clock=clock) as h, webapp_client(h) as client:
        school = await _members(h)
        await h.send(JUF, "/signaal")
        assert [b.web_app for b in h.state.last_bot_message(JUF).buttons[0]] == [f"{APP_URL}?to=signal"]
        assert await open_session(client, init_data(JUF, clock.now())) == 200
        signal = {"school": str(school), "pupil": "ab 5B", "area": "zorg", "observations": ["verzuim"]}
        assert (await client.post("/app/signal", data={**signal, "safety": "nee"})).status == 200
        await client.post("/app/confirm", data={"ref": "Z-0001", "step": "signaal"}, allow_redirects=False)
        assert h.runtime is not None
        await h.runtime.outbox.drain()
        await h.press(IB, "Bekijken")
        await h.press(IB, "Oppakken: Beoordeling door de intern begeleider")
        pointer = h.state.last_bot_message(IB)
        assert pointer.text.startswith("<b>Z-0001 · AB 5B</b> — Beoordeling door de intern begeleider")
        assert [(b.text, b.web_app) for row in pointer.buttons for b in row] == [
            ("Invullen in de app", f"{APP_URL}?ref=Z-0001&step=ib_beoordeling")
        ]
        assert "Ondersteuning" not in pointer.text  # the question is not asked in the chat
        # Typed into the chat anyway: not taken as an answer; the form is offered again.
        await h.send(IB, "Plan op maat, want het gaat thuis niet goed")
        assert "wordt niet vastgelegd" in h.last(IB) and h.buttons(IB) == ["Invullen in de app"]
        async with h.uow() as uow:
            case = await uow.cases.get("Z-0001")
        assert case is not None and case.step == "ib_beoordeling" and "ib_beoordeling" not in case.data


async def _answers(h: BotHarness) -> set[str]:
    assert h.runtime is not None
    async with h.uow() as uow:
        case = await uow.cases.get("Z-0001")
    assert case is not None and case.step == "afgerond" and not case.is_open  # the whole path ran
    route = h.runtime.route_engine.routes.get(case.route_id, case.route_version)
    answers = _recorded_answers(Translator(h.runtime.i18n, "nl"), route, case.data)
    assert {NOTE, "Thuissituatie", "Telefoon", "23 november 2026", "Videobellen"} <= answers
    assert "Gesprek gehad; ouders willen meer hulp." in answers
    return answers


def _sent(events: asyncio.Queue[dict[str, Any]]) -> list[str]:
    """Every text the bot sent, edited or answered a press with — and its buttons — as the emulator
    received it."""
    sent: list[str] = []
    while not events.empty():
        event = events.get_nowait()
        if event["type"] in ("message", "edit") and event["message"]["from_bot"]:
            sent.append(event["message"]["text"] or "")
            sent += [b["text"] for row in event["message"]["buttons"] for b in row]
        elif event["type"] == "callback_answer":
            sent.append(event["text"] or "")
    return sent


def test_minimal_is_the_default_only_with_a_public_https_url() -> None:
    def chat(**env: str) -> bool:
        return load_settings(_env_file=None, **env).minimal_chat

    assert chat() is False  # polling, the demo: the chat is all members have
    assert chat(webhook_url="http://10.0.0.5:8080") is False
    assert chat(webhook_url="https://bot.example.nl") is True
    assert chat(webhook_url="https://bot.example.nl", chat_content="full") is False
    assert chat(chat_content="minimal") is True
    assert load_settings(_env_file=None, webhook_url="https://bot.example.nl").mini_app_url == (
        "https://bot.example.nl/app/"
    )
    with pytest.raises(SettingsError, match="ZORGROUTE_CHAT_CONTENT: must be minimal or full"):
        load_settings(_env_file=None, chat_content="some")
