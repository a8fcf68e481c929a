"""Msgids the engine emits as data are in the template, so `make messages` cannot drop their texts again."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from locales import LOCALES_DIR

FLOWS = Path(__file__).resolve().parents[1] / "flows"
EMITTED = re.compile(r'"((?:access|engine|input)\.[a-z_]+)"')


def test_every_msgid_the_engine_emits_is_extracted() -> None:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    used = {m for path in FLOWS.glob("*.py") for m in EMITTED.findall(path.read_text(encoding="utf-8"))}
    assert used, "the pattern no longer finds the engine's msgids"
    assert not sorted(used - template)
