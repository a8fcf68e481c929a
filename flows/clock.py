"""Time and identity sources, injected everywhere so tests can fix them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock that only moves when a test (or the emulator's clock control) moves it."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.current = moment.astimezone(UTC)


class OffsetClock:
    """Another clock plus an offset that only grows: the demo runs in real time, yet its clock
    control can jump ahead to the moment follow-ups fall due."""

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> None:
        # Forward only: follow-ups that fired cannot be taken back (see emulator/clock.py).
        if delta < timedelta(0):
            raise ValueError("OffsetClock only moves forward")
        self._offset += delta


class IdSource(Protocol):
    def case_ref(self) -> str:
        """A new, unguessable-enough, human-typable case reference."""
        ...


# No 0/O/1/I/L: references are read aloud and typed on phones.
_REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class RandomIds:
    def case_ref(self) -> str:
        return "Z-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))


@dataclass
class SequentialIds:
    """Deterministic references for golden transcripts."""

    counter: int = field(default=0)

    def case_ref(self) -> str:
        self.counter += 1
        return f"Z-{self.counter:04d}"
