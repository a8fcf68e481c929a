"""The Dutch and English texts waiting in locales/pending/ for the lead to merge into the catalogs, as a
lookup for tests and for regenerating docs/routes-other.md (where the bot would pass its translator)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

PENDING = Path(__file__).resolve().parents[2] / "locales" / "pending"


@cache  # read once per test run; callers must not mutate it
def pending_texts() -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for path in sorted(PENDING.glob("*.yaml")):
        for msgid, by_language in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            assert msgid not in texts, f"{msgid} is in two pending files"
            texts[msgid] = by_language
    return texts


def labels(language: str) -> Callable[[str], str]:
    """msgid → text in `language`; an unknown msgid comes back as itself, as gettext would."""
    texts = pending_texts()
    return lambda msgid: texts.get(msgid, {}).get(language, msgid)
