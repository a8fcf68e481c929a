"""Deterministic fault plans for the fake Graph API: scripted, or seeded fractions."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from enum import Enum


class Fault(Enum):
    RATE_LIMIT = "rate_limit"  # HTTP 429, code 130429, Retry-After header
    PAIR_RATE = "pair_rate"  # HTTP 400, code 131056 (too many to one user), no header
    SERVER_ERROR = "server_error"  # HTTP 500, code 1 ("unknown error")
    HANG = "hang"  # never answers (until the fake closes): beyond any client timeout
    DROP = "drop"  # closes the connection without an answer


class FaultPlan:
    """Which fault, if any, the next request gets.

    ``scripted`` replays a fixed list (then no faults); ``seeded`` draws each request from a
    seeded RNG with the given fractions, so a "30% chaos" run is the same run every time.
    """

    def __init__(
        self,
        script: Iterable[Fault | None] = (),
        *,
        seed: int | None = None,
        fractions: dict[Fault, float] | None = None,
    ) -> None:
        self._script: deque[Fault | None] = deque(script)
        self._rng = random.Random(seed)
        self._fractions = dict(fractions or {})
        if sum(self._fractions.values()) > 1.0 or any(f < 0 for f in self._fractions.values()):
            raise ValueError("fault fractions must be >= 0 and sum to at most 1")

    @classmethod
    def none(cls) -> FaultPlan:
        return cls()

    @classmethod
    def scripted(cls, *faults: Fault | None) -> FaultPlan:
        return cls(faults)

    @classmethod
    def seeded(cls, seed: int, **fractions: float) -> FaultPlan:
        """``FaultPlan.seeded(7, rate_limit=0.1, server_error=0.1, hang=0.05, drop=0.05)``."""
        return cls(seed=seed, fractions={Fault(name): share for name, share in fractions.items()})

    def next(self) -> Fault | None:
        if self._script:
            return self._script.popleft()
        draw = self._rng.random()
        for fault, share in self._fractions.items():
            if draw < share:
                return fault
            draw -= share
        return None
