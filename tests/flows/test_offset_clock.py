"""OffsetClock: real time plus a jump the demo's clock buttons make."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.clock import FrozenClock, OffsetClock

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_follows_its_base_clock_plus_what_was_advanced() -> None:
    base = FrozenClock(T0)
    clock = OffsetClock(base)
    assert clock.now() == T0

    clock.advance(timedelta(days=1))
    base.advance(timedelta(minutes=5))  # time keeps running underneath the jump
    assert clock.now() == T0 + timedelta(days=1, minutes=5)
    assert clock.offset == timedelta(days=1)


def test_refuses_to_go_back() -> None:
    clock = OffsetClock(FrozenClock(T0))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(hours=-1))
    assert clock.now() == T0
