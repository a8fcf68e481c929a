"""Fault injection and Telegram's flood limits, so delivery code can be tested against a hostile API."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from emulator.errors import ApiError, TransportFault, too_many_requests

FaultKind = Literal["retry_after", "server_error", "hang", "drop"]

# Methods that put a new message in a chat; only these count against the flood limits.
SENDING_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})


@dataclass(frozen=True)
class FaultPlan:
    """Which calls fail and how. The same seed and call order always give the same failures."""

    rate: float = 0.0  # fraction of matching calls that fail
    kinds: tuple[FaultKind, ...] = ("retry_after",)  # one is picked per failing call
    seed: int = 0
    methods: frozenset[str] = frozenset({"sendMessage"})
    retry_after: int = 3
    hang_seconds: float = 30.0
    # Telegram's documented limits, answered with 429 + retry_after when exceeded.
    enforce_limits: bool = False
    global_per_second: float = 30.0
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0


@dataclass
class Stats:
    requests: int = 0
    sent: int = 0
    edited: int = 0
    bad_requests: int = 0
    too_many_requests: int = 0
    server_errors: int = 0
    hung: int = 0
    dropped: int = 0


@dataclass
class _Bucket:
    """Token bucket: `capacity` calls at once, refilled at `per_second`."""

    capacity: float
    per_second: float
    tokens: float
    updated: float

    def wait_needed(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class FaultInjector:
    monotonic: Callable[[], float]
    plan: FaultPlan = field(default_factory=FaultPlan)
    _rng: random.Random = field(default_factory=random.Random)
    _buckets: dict[object, _Bucket] = field(default_factory=dict)

    def install(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._rng = random.Random(plan.seed)
        self._buckets = {}

    def check(self, method: str, chat_id: int | None, chat_type: str) -> None:
        """Raise the fault this call suffers, if any; `method` is the lower-cased API name."""
        plan = self.plan
        targeted = method in {m.lower() for m in plan.methods}
        # Draw only for targeted calls, so the failure sequence depends on those calls alone.
        if plan.rate > 0 and targeted and self._rng.random() < plan.rate:
            self._raise(self._rng.choice(plan.kinds))
        if plan.enforce_limits and method in SENDING_METHODS:
            self._enforce_limits(chat_id, chat_type)

    def _raise(self, kind: FaultKind) -> None:
        if kind == "retry_after":
            raise too_many_requests(self.plan.retry_after)
        if kind == "server_error":
            raise ApiError(500, "Internal Server Error")
        raise TransportFault(kind, self.plan.hang_seconds)

    def _enforce_limits(self, chat_id: int | None, chat_type: str) -> None:
        now = self.monotonic()
        buckets = [self._bucket("global", self.plan.global_per_second, self.plan.global_per_second, now)]
        if chat_id is not None and chat_type == "private":
            p = self.plan
            buckets.append(self._bucket(chat_id, p.private_burst, p.private_per_second, now))
        elif chat_id is not None:
            per_minute = self.plan.group_per_minute
            buckets.append(self._bucket(chat_id, per_minute, per_minute / 60, now))
        wait = max(b.wait_needed(now) for b in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for b in buckets:
            b.take()

    def _bucket(self, key: object, capacity: float, per_second: float, now: float) -> _Bucket:
        if key not in self._buckets:
            self._buckets[key] = _Bucket(capacity, per_second, capacity, now)
        return self._buckets[key]
