"""The Dutch and English catalog texts as a plain lookup, for tests and for regenerating
docs/routes.md without the bot (which passes its translator instead)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from babel.messages.pofile import read_po

from locales import LOCALES_DIR

LANGUAGES = ("nl", "en")


@cache  # read once per test run; callers must not mutate it
def catalog_texts() -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id and isinstance(message.id, str):
                    texts.setdefault(message.id, {})[language] = str(message.string)
    return texts


def labels(language: str) -> Callable[[str], str]:
    """msgid → text in `language`; an unknown msgid comes back as itself, as gettext would."""
    texts = catalog_texts()
    return lambda msgid: texts.get(msgid, {}).get(language, msgid)
