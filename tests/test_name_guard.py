"""The name guard with the real deduce: names, addresses and contact details are found and replaced; text
about a pupil without them passes untouched."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.name_guard import NameGuard, Redacted


@pytest.fixture(scope="module")
def guard() -> NameGuard:
    return NameGuard()


def check(guard: NameGuard, text: str) -> Redacted | None:
    return asyncio.run(guard.check(text))


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Daan de Vries is vaak moe", "[PERSOON] is vaak moe"),
        ("Ik heb met moeder Ahmed gebeld", "Ik heb met moeder [PERSOON] gebeld"),
        ("Sanne en Lotte pesten", "[PERSOON] en [PERSOON] pesten"),
        ("Bel moeder op 06-12345678", "Bel moeder op [TELEFOON]"),
        ("Moeder belt 010-1234567", "Moeder belt [TELEFOON]"),
        ("Contact via jan.devries@gmail.com", "Contact via [E-MAIL]"),
        ("Woont op Kerkstraat 12 in Vlaardingen", "Woont op [ADRES] in Vlaardingen"),
        ("Woont bij oma aan de Hoogstraat", "Woont bij oma aan de [ADRES]"),
        ("BSN 123456782", "BSN [NUMMER]"),
        ("geboren op 12-03-2015", "geboren op [GEBOORTEDATUM]"),
    ],
)
def test_names_addresses_and_contact_details_are_replaced(guard: NameGuard, text: str, redacted: str) -> None:
    found = check(guard, text)
    assert found is not None and found.text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "Leerling oogt moe en komt vaak te laat",
        "Veel verzuim sinds de herfstvakantie",
        "Sinds 3 maart huilt hij vaak in de klas",
        "Hij is 8 jaar en zit in groep 5",
        "Het gezin is net verhuisd naar Schiedam",
        "zie.verslag",
    ],
)
def test_text_without_names_passes_untouched(guard: NameGuard, text: str) -> None:
    assert check(guard, text) is None
