"""Every field of every shipped route has a short `label`, translated in both languages: /zaak shows what
was recorded as "label: answer" and a summary lists the answers by it, never by the whole prompt with
its instructions ("Over welke leerling gaat het? Typ initialen en groep… Geen namen.")."""

from __future__ import annotations

import pytest

from bot.i18n import Translator, make_i18n
from bot.render.case_view import field_label
from flows.engine import shown_answers
from flows.registry import builtin_registry
from tests.flows.catalog_texts import catalog_texts

ROUTES = builtin_registry().ids()
LANGUAGES = ("nl", "en")
SHORT = 40  # characters: a label fits a button ("Wijzig: …") and one line of /zaak


def _fields(route_id: str):  # type: ignore[no-untyped-def]
    route = builtin_registry().get(route_id)
    return [(step.id, f) for step in route.steps.values() for f in step.fields]


@pytest.mark.parametrize("route_id", ROUTES)
def test_every_field_has_a_short_label_in_both_languages(route_id: str) -> None:
    texts = catalog_texts()
    for step_id, field in _fields(route_id):
        where = f"{route_id}.{step_id}.{field.id}"
        assert field.label, f"{where} has no label"
        for language in LANGUAGES:
            text = texts.get(field.label, {}).get(language, "")
            assert text, f"{where}: {field.label} is not translated in {language}"
            assert len(text) <= SHORT, f"{where}: {text!r} is not short"
            assert "?" not in text and "(" not in text.replace("(IB)", ""), f"{where}: {text!r} is a question"
            assert text != texts[field.prompt][language], f"{where}: the label repeats the prompt"


@pytest.mark.parametrize("language", LANGUAGES)
def test_case_view_and_summaries_name_answers_by_their_label(language: str) -> None:
    t = Translator(make_i18n(language), language)
    route = builtin_registry().get("vlaardingen")
    step = route.step("signaal")
    pupil = next(f for f in step.fields if f.id == "pupil")
    assert field_label(t, pupil) == {"nl": "Leerling", "en": "Pupil"}[language]
    values = {"pupil": {"label": "AB 5b"}, "area": "zorg"}
    shown = shown_answers(step, values)
    assert [name for name, _, _ in shown] == ["vlaardingen.field.pupil", "vlaardingen.field.area"]
