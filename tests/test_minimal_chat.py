"""Minimal-content chat (ZORGROUTE_CHAT_CONTENT=minimal): along a whole Vlaardingen path, nothing the bot
sends through Telegram — messages, edits, press answers — carries a recorded answer; the content is in
the Mini App, which every notification and /zaak open with a web_app button."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.render.text import Translator
from bot.settings import Settings, SettingsError, load_settings
from flows.clock import FrozenClock
from flows.route import Route
from tests.harness import BotHarness

JUF, IB, SWV, GS = 801, 802, 803, 804
NOTE = "Komt vaak te laat en is moe in de klas"
APP_URL = "https://zorgroute.test/app/"


def _minimal(settings: Settings) -> Settings:
    return settings.model_copy(update={"chat_content": "minimal", "webapp_url": APP_URL})


async def _vlaardingen_path(h: BotHarness, *, minimal: bool = True) -> None:
    school = await h.add_school()
    for user_id, role in ((JUF, "leerkracht"), (IB, "ib"), (SWV, "swv"), (GS, "gs")):
        await h.register(user_id, role, school_id=school)
    await h.send(JUF, "/signaal")
    if minimal:
        assert h.buttons(JUF) == ["Signaal invullen in de app", "In de chat invullen"]
        await h.press(JUF, "In de chat invullen")  # the chat's form: what it sends carries no answers either
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


async def test_minimal_mode_sends_no_recorded_answer_through_telegram(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(_minimal(settings), clock=clock) as h:
        events = h.state.subscribe()
        await _vlaardingen_path(h)
        answers = await _answers(h)
        sent = _sent(events)
        assert len(sent) > 30
        leaks = [(answer, text) for text in sent for answer in answers if answer in text]
        assert leaks == []
        # Notifications and /zaak carry the way to the content instead.
        opened = [b for m in h.state.bot_messages(GS) for row in m.buttons for b in row if b.web_app]
        assert opened and all(b.web_app.startswith(f"{APP_URL}?ref=Z-0001") for b in opened if b.web_app)
        assert {b.text for b in opened} == {"Openen in Zorgroute"}


async def test_full_mode_shows_the_answers_in_the_chat(settings: Settings, clock: FrozenClock) -> None:
    """The same path in `full` mode: the check above would catch the answers, which the chat then shows."""
    async with BotHarness(settings.model_copy(update={"chat_content": "full"}), clock=clock) as h:
        events = h.state.subscribe()
        await _vlaardingen_path(h, minimal=False)
        answers = await _answers(h)
        sent = "\n".join(_sent(events))
        assert {NOTE, "Thuissituatie", "Videobellen"} <= {a for a in answers if a in sent}


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
    """Every text the bot sent, edited or answered a press with, as the emulator received it."""
    sent: list[str] = []
    while not events.empty():
        event = events.get_nowait()
        if event["type"] in ("message", "edit") and event["message"]["from_bot"]:
            sent.append(event["message"]["text"] or "")
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
