"""Dates that fit the question (issue 15): Dutch date words, and a past or future field refusing a day on
the other side of today, each refusal with an example in its message."""

from __future__ import annotations

from datetime import date

import pytest

from flows.values import ValueProblem, parse_date

TUESDAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "tense", "expected"),
    [
        ("gisteren", "past", date(2026, 11, 30)),
        ("Eergisteren", "past", date(2026, 11, 29)),
        ("vandaag", "future", TUESDAY),
        ("vorige week dinsdag", "past", date(2026, 11, 24)),
        ("afgelopen vrijdag", "past", date(2026, 11, 27)),
        ("dinsdag", "past", date(2026, 11, 24)),  # a weekday alone: the last one for a past question
        ("dinsdag", "future", date(2026, 12, 8)),  # … and the next one for a future question
        ("volgende week vrijdag", "future", date(2026, 12, 11)),
        ("3 maart", "past", date(2026, 3, 3)),  # no year: the last 3 March for a past question
        ("3 maart", "future", date(2027, 3, 3)),
        ("3 mrt 2026", "past", date(2026, 3, 3)),
        ("over 2 weken", "future", date(2026, 12, 15)),
        ("twee weken geleden", "past", date(2026, 11, 17)),
        ("28-11", "past", date(2026, 11, 28)),
        ("14-12-2026", "future", date(2026, 12, 14)),
        ("2026-11-02", None, date(2026, 11, 2)),
    ],
)
def test_dutch_dates_are_understood(typed: str, tense: str | None, expected: date) -> None:
    assert parse_date(typed, TUESDAY, tense) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "tense", "problem"),
    [
        ("morgen", "past", "input.date_not_past"),
        ("over 2 weken", "past", "input.date_not_past"),
        ("gisteren", "future", "input.date_not_future"),
        ("vorige week dinsdag", "future", "input.date_not_future"),
        ("1-11-2026", "future", "input.date_not_future"),
        ("ergens volgende maand", "future", "input.date_invalid"),
        ("31 februari", "past", "input.date_invalid"),
        ("3 foo", "past", "input.date_invalid"),
    ],
)
def test_a_date_on_the_wrong_side_of_today_is_refused(typed: str, tense: str, problem: str) -> None:
    with pytest.raises(ValueProblem) as refused:
        parse_date(typed, TUESDAY, tense)  # type: ignore[arg-type]
    assert refused.value.message == problem


def test_every_refusal_gives_an_example() -> None:
    from bot.i18n import make_i18n
    from bot.render.text import Translator

    for locale in ("nl", "en"):
        t = Translator(make_i18n(locale), locale)
        for msgid in ("input.date_invalid", "input.date_not_past", "input.date_not_future"):
            assert any(ch.isdigit() for ch in t(msgid)) or "gisteren" in t(msgid), (locale, msgid)


def test_a_date_field_must_say_past_or_future() -> None:
    from pydantic import ValidationError

    from flows.route_schema import FieldSpec

    with pytest.raises(ValidationError, match="past or the future"):
        FieldSpec.model_validate({"id": "when", "kind": "date", "prompt": "t.ask.when"})
    with pytest.raises(ValidationError, match="no tense"):
        FieldSpec.model_validate({"id": "what", "kind": "text", "prompt": "t.ask.what", "tense": "past"})
    assert (
        FieldSpec.model_validate({"id": "when", "kind": "date", "prompt": "t.ask.when", "tense": "past"})
        .build()
        .tense
        == "past"
    )
