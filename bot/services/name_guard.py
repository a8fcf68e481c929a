"""The name guard: free text is checked for names and contact details before the engine sees it.

`deduce` (de-identification of Dutch text, UMC Utrecht) finds persons, addresses, phone numbers, e-mail
addresses and BSN-like numbers. What counts here is narrower than what deduce marks: a city, a date or an
age says little about a family, a street or a date of birth does. A finding comes back as the text with
each finding replaced by a placeholder ("[PERSOON]"); the person then chooses to use that or to rewrite,
and the original is never stored or sent.

Loading deduce takes seconds (its first-ever build of lookup tables one to two minutes, kept in its
install folder; `python -m bot.services.name_guard` builds it at install time). It is loaded once per
process, in a thread, when the bot starts; until it is ready a free-text answer waits for it
(`NameGuard.ready`), it never goes through unchecked.
"""

from __future__ import annotations

import asyncio
import gc
import re
import threading
from dataclasses import dataclass
from typing import Any, Protocol

# deduce tag -> placeholder. Tags absent here (datum, leeftijd, instelling, and locatie that is not an
# address) are left in the text.
PLACEHOLDERS = {
    "persoon": "[PERSOON]",
    "patient": "[PERSOON]",
    "telefoonnummer": "[TELEFOON]",
    "emailadres": "[E-MAIL]",
    "bsn": "[NUMMER]",
    "id": "[NUMMER]",
    "url": "[LINK]",
    "locatie": "[ADRES]",
    "datum": "[GEBOORTEDATUM]",
}
_STREET = re.compile(r"(\d|(straat|laan|weg|plein|singel|kade|gracht|dreef|hof|pad|steeg|dijk|park)\b)", re.I)
_BORN = re.compile(r"\b(geboren|geb\.?|geboortedatum)\W*(op\W*)?$", re.I)


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    placeholder: str


@dataclass(frozen=True)
class Redacted:
    """The text with its findings replaced, and what was found (the kinds, never the words)."""

    text: str
    kinds: tuple[str, ...]


class Detector(Protocol):
    def deidentify(self, text: str) -> Any: ...


def findings(text: str, annotations: Any) -> list[Finding]:
    """The annotations that count here, as placeholders over spans of `text`."""
    out = []
    for a in annotations:
        placeholder = PLACEHOLDERS.get(a.tag)
        if placeholder is None:
            continue
        if a.tag == "locatie" and not _STREET.search(a.text):
            continue  # a place name ("Schiedam") is not an address
        if a.tag == "datum" and not _BORN.search(text[: a.start_char]):
            continue  # "sinds 3 maart" is not a date of birth
        out.append(Finding(a.start_char, a.end_char, placeholder))
    return sorted(out, key=lambda f: f.start)


def redact(text: str, found: list[Finding]) -> Redacted:
    parts, at, kinds = [], 0, []
    for f in found:
        if f.start < at:
            continue  # overlapping annotations: the first one covers it
        parts += [text[at : f.start], f.placeholder]
        at = f.end
        if f.placeholder not in kinds:
            kinds.append(f.placeholder)
    parts.append(text[at:])
    return Redacted("".join(parts), tuple(kinds))


class NameGuard:
    """Checks free text; `start()` loads the detector in a thread, `check()` waits for it."""

    def __init__(self, load: Any = None) -> None:
        self._load = load or shared_detector
        self._detector: Detector | None = None
        self._loading: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin loading in the background (idempotent)."""
        if self._loading is None:
            self._loading = asyncio.get_running_loop().create_task(self._start(), name="name-guard")

    async def _start(self) -> None:
        self._detector = await asyncio.to_thread(self._load)

    @property
    def ready(self) -> bool:
        return self._detector is not None

    async def wait(self) -> None:
        self.start()
        assert self._loading is not None
        await asyncio.shield(self._loading)

    async def check(self, text: str) -> Redacted | None:
        """None when the text holds nothing that counts; else the redacted text."""
        await self.wait()
        detector = self._detector
        if detector is None:
            raise RuntimeError("the name guard did not load")
        document = await asyncio.to_thread(detector.deidentify, text)
        found = findings(text, document.annotations)
        return redact(text, found) if found else None


_shared: Detector | None = None
_shared_lock = threading.Lock()


def shared_detector() -> Detector:
    """One deduce per process: it is immutable once built and costs seconds and memory to load."""
    global _shared
    with _shared_lock:
        if _shared is None:
            from deduce import Deduce  # imported here: importing it is part of the slow load

            # deduce unpickles millions of small objects that live as long as the process. With the cyclic
            # collector on, the unpickling set off full collections over them (12 s of CPU on this machine,
            # 3 s without); frozen, no later collection walks them again (a full one took 6 s, a pause of
            # the event loop). gc settings are process-wide, so the disable is brief and always undone.
            enabled = gc.isenabled()
            gc.disable()
            try:
                _shared = Deduce()
            finally:
                gc.freeze()
                if enabled:
                    gc.enable()
        return _shared


if __name__ == "__main__":  # build deduce's lookup tables once, at install time
    shared_detector()
