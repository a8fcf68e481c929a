"""Every msgid has a Dutch and an English translation, and the compiled catalogs are current."""

from __future__ import annotations

import gettext

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, ROLE_NAMES
from flows.roles import ROLES
from locales import DOMAIN, LOCALES_DIR


def _msgids() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id and isinstance(message.id, str)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_is_translated(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(key for key in _msgids() if not translated.get(key))
    assert not missing, f"{language} lacks translations for {missing}"
    fuzzy = sorted(str(m.id) for m in catalog if m.id and m.fuzzy)
    assert not fuzzy, f"{language} has fuzzy entries {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_is_current(language: str) -> None:
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.po").open("rb") as handle:
        expected = {str(m.id): str(m.string) for m in read_po(handle) if m.id and not m.fuzzy}
    with (folder / f"{DOMAIN}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    compiled = {key: value for key, value in compiled.items() if key}
    assert compiled == expected, "the .mo is stale: run `make catalogs`"


def test_code_msgids_are_in_the_template() -> None:
    """A key used in code but not extracted would show up untranslated; `make messages` finds it."""
    assert set(ROLE_NAMES) == ROLES
    assert set(ROLE_NAMES.values()) <= _msgids()
