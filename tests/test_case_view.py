"""/zaak as people read it (issue 15, "a readable case"): a short header, what was recorded grouped per
step as label and answer with who recorded it, every contact attempt kept, the timeline behind a button,
long cases in pages. Rendered from a case the real engine built (the engine-level golden scenario of three
unanswered calls to the parents), read by the real catalogs."""

from __future__ import annotations

from pathlib import Path

from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import CasePageCb
from bot.i18n import make_i18n
from bot.render.case_view import CaseContext, render_case
from bot.render.text import Translator
from flows import events as ev
from flows import inputs as inp
from flows.case import Case
from flows.engine import RouteEngine
from flows.policy import Actor
from flows.registry import builtin_registry
from tests.golden.engine_runner import Scenario, _moment, input_from_data

SCENARIO = Path(__file__).parent / "golden" / "engine" / "vlaardingen" / "parents_unreachable.yaml"
NAMES = CaseContext(school_name="De Regenboog", names={1: "Juf Jansen", 2: "Bram Bakker"})


def _case() -> tuple[RouteEngine, Case, dict[str, Actor]]:
    scenario = Scenario.load(SCENARIO)
    engine = RouteEngine(builtin_registry())
    case: Case | None = None
    for call in scenario.calls:
        actor = scenario.actors[call["who"]]
        if "start" in call:
            started = engine.start(call["start"], actor, ref=call["ref"], now=_moment(call["at"]))
            assert not isinstance(started, ev.Refused)
            case = started.case
        else:
            assert case is not None
            case = engine.advance(case, actor, input_from_data(call["input"]), _moment(call["at"])).case
    assert case is not None
    return engine, case, scenario.actors


def _buttons(markup: InlineKeyboardMarkup | None) -> dict[str, str]:
    assert markup is not None
    return {b.text: str(b.callback_data) for row in markup.inline_keyboard for b in row}


def test_every_contact_attempt_stays_on_the_case() -> None:
    engine, case, actors = _case()
    route = engine.routes.get(case.route_id, case.route_version)
    t = Translator(make_i18n("nl"), "nl")
    text, _ = render_case(t, route, case, actors["ib"], NAMES)
    # Three calls to the parents, each its own group with who and when: the first two used to vanish.
    for day in ("23", "24", "25"):
        assert (
            f"Toestemming ouders voor het VOT</b> — Bram Bakker (intern begeleider), {day} november 2026"
            in text
        )
    assert text.count("Telefoon") == 2 and text.count("WhatsApp") == 1


def test_the_case_reads_as_labels_and_answers_with_names_and_a_short_header() -> None:
    engine, case, actors = _case()
    route = engine.routes.get(case.route_id, case.route_version)
    t = Translator(make_i18n("nl"), "nl")
    text, markup = render_case(t, route, case, actors["ib"], NAMES)
    head = text.split("\n\n")[0]
    assert "<b>Z-0001 · EF 7a</b>" in head and "Prioriteit: normaal" in head and "Ligt bij:" in head
    # The IB-er sees which teacher signalled; no instructions from the questions ("Typ …", "Geen namen").
    assert "Signaal van de leerkracht</b> — Juf Jansen (leerkracht)" in text
    assert "Typ " not in text and "Geen namen" not in text and "geen namen" not in text
    # The timeline is behind a button, not in the view.
    assert "Tijdlijn</b>" not in text
    buttons = _buttons(markup)
    timeline = next(data for label, data in buttons.items() if label.startswith("Tijdlijn tonen"))
    page = CasePageCb.unpack(timeline)
    shown, back = render_case(t, route, case, actors["ib"], NAMES, page.part, page.page)
    assert "<b>Tijdlijn</b>" in shown and "Juf Jansen (leerkracht): Signaal van de leerkracht" in shown
    assert "Terug naar de zaak" in _buttons(back)


def test_a_long_case_comes_in_pages_that_telegram_accepts() -> None:
    engine, case, actors = _case()
    route = engine.routes.get(case.route_id, case.route_version)
    attempt = case.data["toestemming"]
    case = case.with_(earlier={"toestemming": (attempt,) * 120})  # a case with a long history
    t = Translator(make_i18n("nl"), "nl")
    pages, page, seen = [], 0, 0
    while True:
        text, markup = render_case(t, route, case, actors["ib"], NAMES, "c", page)
        assert len(text) <= 4096 and text.count("<b>") == text.count("</b>")
        pages.append(text)
        seen += text.count("Toestemming ouders voor het VOT</b>")
        more = [d for label, d in _buttons(markup).items() if label.startswith("Meer")]
        if not more:
            break
        page = CasePageCb.unpack(more[0]).page
    assert len(pages) > 1 and seen == 121  # every attempt (120 earlier + the newest) on some page, none twice


def test_a_teacher_sees_the_status_view_only() -> None:
    """Need-to-know still holds: the signalling teacher reads her own signal, not the IB-er's calls."""
    engine, case, actors = _case()
    route = engine.routes.get(case.route_id, case.route_version)
    t = Translator(make_i18n("nl"), "nl")
    text, _ = render_case(t, route, case, actors["juf"], NAMES)
    assert "Signaal van de leerkracht</b>" in text and "Toestemming ouders voor het VOT</b>" not in text


def test_the_first_attempt_is_kept_by_the_engine() -> None:
    engine, case, actors = _case()
    assert [a["method"] for a in case.earlier["toestemming"]] == ["telefoon", "whatsapp"]
    assert case.data["toestemming"]["method"] == "telefoon"
    # A new attempt appends, never rewrites.
    ib = actors["ib"]
    now = case.timeline[-1].at
    for given in (
        inp.Open("toestemming"),
        inp.Choose("toestemming", "method", "mail"),
        inp.Choose("toestemming", "result", "unreachable"),
        inp.SetValue("toestemming", "date", now.date().isoformat()),
        inp.Confirm("toestemming"),
    ):
        result = engine.advance(case, ib, given, now)
        if result.refused:  # the route may have moved on after three attempts: nothing to append then
            return
        case = result.case
    assert [a["method"] for a in case.earlier["toestemming"]] == ["telefoon", "whatsapp", "telefoon"]
