"""Durations as route files write them, and the deadlines they give."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from flows.calendar import Duration, DurationUnit, due_at, load_calendar, parse_duration

MIDDEN = load_calendar("midden")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 school days", Duration(3, DurationUnit.SCHOOL_DAYS)),
        ("3 schooldagen", Duration(3, DurationUnit.SCHOOL_DAYS)),
        ("1 schooldag", Duration(1, DurationUnit.SCHOOL_DAYS)),
        ("5sd", Duration(5, DurationUnit.SCHOOL_DAYS)),
        ("  3   School  Days ", Duration(3, DurationUnit.SCHOOL_DAYS)),
        ("2 days", Duration(2, DurationUnit.DAYS)),
        ("2 dagen", Duration(2, DurationUnit.DAYS)),
        ("3d", Duration(3, DurationUnit.DAYS)),
        ("48 hours", Duration(48, DurationUnit.HOURS)),
        ("4 uur", Duration(4, DurationUnit.HOURS)),
        ("0 days", Duration(0, DurationUnit.DAYS)),
    ],
)
def test_parse_good(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "cannot read duration ''"),
        ("three days", "cannot read duration"),
        ("3", "cannot read duration"),
        ("-1 days", "cannot read duration"),
        ("1.5 days", "cannot read duration"),
        ("3 weeks", "unknown unit 'weeks'"),
        ("3 werkdagen", "unknown unit 'werkdagen'"),
        ("999 sd", "longer than 200"),
        (3, "must be text"),
    ],
)
def test_parse_bad(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


def test_due_at_per_unit() -> None:
    friday = datetime(2026, 10, 16, 7, tzinfo=UTC)  # 09:00 CEST, herfstvakantie follows
    assert due_at(MIDDEN, friday, parse_duration("1 schooldag")) == datetime(2026, 10, 26, 8, tzinfo=UTC)
    assert due_at(MIDDEN, friday, parse_duration("10 dagen")) == datetime(2026, 10, 26, 8, tzinfo=UTC)
    # Hours are elapsed time: 240 real hours is 08:00 local after the clocks went back.
    assert due_at(MIDDEN, friday, parse_duration("240 hours")) == datetime(2026, 10, 26, 7, tzinfo=UTC)
    assert due_at(MIDDEN, friday, parse_duration("2sd"), at=time(17)) == datetime(
        2026, 10, 27, 16, tzinfo=UTC
    )


def test_due_at_refuses_a_wall_clock_for_hours() -> None:
    with pytest.raises(ValueError, match="elapsed time"):
        due_at(MIDDEN, datetime(2026, 11, 23, tzinfo=UTC), parse_duration("4h"), at=time(9))
