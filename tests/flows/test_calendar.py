"""School days and deadlines: what a route's "within N school days" means on a real calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.calendar import (
    DateRange,
    DutchPublicHolidays,
    LiberationDay,
    SchoolCalendar,
    available_regions,
    load_calendar,
)
from flows.calendar.public_holidays import GOOD_FRIDAY, LIBERATION_DAY, _package_days

MIDDEN = load_calendar("midden")
# Only weekends and public holidays: isolates holiday rules from the vacation tables.
BARE = SchoolCalendar("bare")


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


# -- which days are school days ------------------------------------------------------


def test_weekends_are_not_school_days() -> None:
    assert not BARE.is_school_day(date(2026, 11, 21))  # Saturday
    assert not BARE.is_school_day(date(2026, 11, 22))  # Sunday
    assert BARE.is_school_day(date(2026, 11, 23))  # Monday


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 1, 1), "Nieuwjaarsdag"),
        (date(2027, 3, 29), "Tweede paasdag"),
        (date(2026, 4, 27), "Koningsdag"),
        (date(2027, 4, 27), "Koningsdag"),
        (date(2027, 5, 6), "Hemelvaartsdag"),
        (date(2027, 5, 17), "Tweede pinksterdag"),
        (date(2026, 12, 25), "Eerste kerstdag"),
        (date(2028, 12, 26), "Tweede kerstdag"),
    ],
)
def test_public_holidays_on_weekdays_are_not_school_days(day: date, name: str) -> None:
    assert day.weekday() < 5
    assert BARE.closed_reason(day) == name


def test_good_friday_is_a_per_calendar_choice() -> None:
    good_friday = date(2027, 3, 26)
    assert BARE.is_school_day(good_friday)  # not a national day off
    assert not SchoolCalendar("x", DutchPublicHolidays(good_friday_closed=True)).is_school_day(good_friday)
    assert not MIDDEN.is_school_day(good_friday)  # the shipped regions close


@pytest.mark.parametrize(
    ("policy", "closed_2025", "closed_2027"),
    [
        (LiberationDay.LUSTRUM, True, False),
        (LiberationDay.ALWAYS, True, True),
        (LiberationDay.NEVER, False, False),
    ],
)
def test_liberation_day_policy(policy: LiberationDay, closed_2025: bool, closed_2027: bool) -> None:
    calendar = SchoolCalendar("x", DutchPublicHolidays(liberation_day=policy))
    assert calendar.is_school_day(date(2025, 5, 5)) is not closed_2025  # Monday, lustrum year
    assert calendar.is_school_day(date(2027, 5, 5)) is not closed_2027  # Wednesday


def test_the_holiday_names_we_govern_still_exist_upstream() -> None:
    # If the holidays package renames these, our options would silently stop applying.
    assert _package_days(2027)[date(2027, 3, 26)] == GOOD_FRIDAY
    assert _package_days(2027)[date(2027, 5, 5)] == LIBERATION_DAY


def test_public_holidays_2026_2027_are_exactly_the_documented_set() -> None:
    closed = {
        day
        for day in (date(2026, 1, 1) + timedelta(days=k) for k in range(730))
        if day.weekday() < 5 and not BARE.is_school_day(day)
    }
    assert closed == {
        date(2026, 1, 1), date(2026, 4, 6), date(2026, 4, 27), date(2026, 5, 14), date(2026, 5, 25),
        date(2026, 12, 25),
        date(2027, 1, 1), date(2027, 3, 29), date(2027, 4, 27), date(2027, 5, 6), date(2027, 5, 17),
    }  # fmt: skip


def test_school_holidays_and_extra_closed_days() -> None:
    assert MIDDEN.closed_reason(date(2026, 12, 23)) == "kerstvakantie"
    assert MIDDEN.closed_reason(date(2026, 10, 21)) == "herfstvakantie"
    study_day = SchoolCalendar("x", extra_closed=frozenset({date(2026, 11, 25)}))
    assert not study_day.is_school_day(date(2026, 11, 25))


def test_date_range_refuses_to_run_backwards() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        DateRange(date(2026, 1, 2), date(2026, 1, 1), "oops")


# -- deadlines in school days --------------------------------------------------------


def test_friday_plus_one_school_day_is_monday_same_wall_clock() -> None:
    friday = utc(2026, 11, 27, 13, 15)  # 14:15 in Amsterdam
    assert MIDDEN.add_school_days(friday, 1) == utc(2026, 11, 30, 13, 15)


def test_a_weekend_start_counts_from_the_next_school_day() -> None:
    saturday = utc(2026, 11, 28, 9)
    assert MIDDEN.add_school_days(saturday, 1) == utc(2026, 11, 30, 9)
    assert MIDDEN.add_school_days(saturday, 0) == utc(2026, 11, 30, 9)


def test_zero_school_days_is_now_on_a_school_day_and_never_before_start() -> None:
    tuesday = utc(2026, 11, 24, 10)  # 11:00 local
    assert MIDDEN.add_school_days(tuesday, 0) == tuesday
    # 09:00 local has passed: the first 09:00 at/after start is Wednesday's.
    assert MIDDEN.add_school_days(tuesday, 0, at=time(9)) == utc(2026, 11, 25, 8)
    assert MIDDEN.add_school_days(tuesday, 0, at=time(15)) == utc(2026, 11, 24, 14)


def test_across_the_kerstvakantie() -> None:
    last_day = utc(2026, 12, 18, 8)  # Friday before the kerstvakantie, 09:00 local
    assert MIDDEN.add_school_days(last_day, 1) == utc(2027, 1, 4, 8)
    assert MIDDEN.add_school_days(last_day, 3) == utc(2027, 1, 6, 8)
    assert MIDDEN.school_days_between(date(2026, 12, 18), date(2027, 1, 6)) == 3


def test_easter_and_koningsdag_are_skipped() -> None:
    thursday = utc(2027, 3, 25, 8)  # 09:00 CET, then Good Friday, Easter, DST, Easter Monday
    assert MIDDEN.add_school_days(thursday, 1) == utc(2027, 3, 30, 7)  # 09:00 CEST
    assert BARE.add_school_days(thursday, 1) == utc(2027, 3, 26, 8)  # Good Friday open
    assert BARE.add_school_days(utc(2027, 4, 26, 8), 1) == utc(2027, 4, 28, 8)  # over Koningsdag


def test_pinkstermaandag_and_hemelvaart_are_skipped() -> None:
    assert BARE.add_school_days(utc(2027, 5, 14, 8), 1) == utc(2027, 5, 18, 8)
    assert BARE.add_school_days(utc(2027, 5, 5, 8), 1) == utc(2027, 5, 7, 8)


def test_dst_end_keeps_nine_local() -> None:
    # Midden: herfstvakantie 17-25 Oct 2026; the clocks go back on Sunday 25 Oct.
    friday = utc(2026, 10, 16, 7)  # 09:00 CEST
    assert MIDDEN.add_school_days(friday, 1) == utc(2026, 10, 26, 8)  # 09:00 CET


def test_dst_start_keeps_nine_local() -> None:
    friday = utc(2027, 3, 19, 8)  # 09:00 CET; clocks go forward on Sunday 28 March
    assert BARE.add_school_days(friday, 6) == utc(2027, 3, 30, 7)  # 09:00 CEST
    assert BARE.add_days(utc(2027, 3, 27, 8), 1) == utc(2027, 3, 28, 7)


def test_nonexistent_local_time_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist on 2027-03-28: it becomes 03:30 CEST (= 01:30 UTC).
    assert BARE.add_days(utc(2027, 3, 27, 12), 1, at=time(2, 30)) == utc(2027, 3, 28, 1, 30)


def test_ambiguous_local_time_takes_the_first_occurrence() -> None:
    # 02:30 happens twice on 2026-10-25; fold=0 is the summer-time one (= 00:30 UTC).
    assert BARE.add_days(utc(2026, 10, 24, 12), 1, at=time(2, 30)) == utc(2026, 10, 25, 0, 30)


def test_explicit_local_time_for_a_deadline() -> None:
    evening = utc(2026, 11, 23, 20)  # Monday 21:00 local
    assert MIDDEN.add_school_days(evening, 2, at=time(17)) == utc(2026, 11, 25, 16)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        MIDDEN.add_school_days(datetime(2026, 11, 23, 9), 1)
    with pytest.raises(ValueError, match=">= 0"):
        MIDDEN.add_school_days(utc(2026, 11, 23), -1)
    with pytest.raises(ValueError, match="wall-clock"):
        MIDDEN.add_days(utc(2026, 11, 23), 1, at=time(9, tzinfo=UTC))
    with pytest.raises(ValueError, match="weekday"):
        MIDDEN.next_weekly(utc(2026, 11, 23), 7, time(8))


def test_a_calendar_that_is_always_closed_raises_instead_of_looping() -> None:
    closed = SchoolCalendar("never", closed=(DateRange(date(2026, 1, 1), date(2028, 1, 1), "closed"),))
    with pytest.raises(ValueError, match="no school day"):
        closed.add_school_days(utc(2026, 6, 1), 1)


# -- weekly digests --------------------------------------------------------------------


def test_next_weekly_monday_0800_across_dst_start() -> None:
    saturday = utc(2027, 3, 27, 12)
    assert MIDDEN.next_weekly(saturday, 0, time(8)) == utc(2027, 3, 29, 6)  # 08:00 CEST


def test_next_weekly_monday_0800_across_dst_end() -> None:
    saturday = utc(2026, 10, 24, 12)
    assert MIDDEN.next_weekly(saturday, 0, time(8)) == utc(2026, 10, 26, 7)  # 08:00 CET


def test_next_weekly_is_strictly_after_and_ignores_school_holidays() -> None:
    monday_0800 = utc(2026, 12, 21, 7)  # kerstvakantie, digest still goes out
    assert MIDDEN.next_weekly(monday_0800 - timedelta(seconds=1), 0, time(8)) == monday_0800
    assert MIDDEN.next_weekly(monday_0800, 0, time(8)) == utc(2026, 12, 28, 7)


# -- counting ----------------------------------------------------------------------------


def test_school_days_between_is_half_open_and_antisymmetric() -> None:
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    assert MIDDEN.school_days_between(friday, monday) == 1
    assert MIDDEN.school_days_between(monday, friday) == -1
    assert MIDDEN.school_days_between(friday, friday) == 0


# -- property ----------------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2025, 8, 1), max_value=datetime(2027, 7, 31), timezones=st.just(UTC))
wall_clocks = st.one_of(st.none(), st.times())


@settings(max_examples=300, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    region=st.sampled_from(["noord", "midden", "zuid"]),
    start=starts,
    n=st.integers(min_value=0, max_value=60),
    at=wall_clocks,
)
def test_add_school_days_property(region: str, start: datetime, n: int, at: time | None) -> None:
    calendar = load_calendar(region)
    result = calendar.add_school_days(start, n, at=at)
    local_start = start.astimezone(calendar.timezone).date()
    local_result = result.astimezone(calendar.timezone).date()
    assert result.tzinfo is UTC
    assert calendar.is_school_day(local_result)
    assert result >= start
    counted = calendar.school_days_between(local_start, local_result)
    if n >= 1:
        assert counted == n
    else:
        # n = 0: the same day, or the first school day after it.
        assert counted == (0 if local_result == local_start else 1)


# -- shipped calendars --------------------------------------------------------------------


def test_shipped_regions() -> None:
    assert set(available_regions()) == {
        "noord", "midden", "zuid",
        "vlaardingen", "maassluis", "schiedam", "rotterdam", "capelle-aan-den-ijssel",
    }  # fmt: skip


@pytest.mark.parametrize("region", available_regions())
def test_every_shipped_calendar_loads_and_covers_the_current_school_year(region: str) -> None:
    calendar = load_calendar(region)
    assert calendar.region == region
    # The current school year (today is 2026-11-22) is described from start to end.
    assert calendar.covers(date(2026, 9, 1))
    assert calendar.covers(date(2027, 7, 31))
    assert calendar.covers(date(2025, 10, 20))
    names = {closure.name for closure in calendar.closed}
    assert names == {"herfstvakantie", "kerstvakantie", "voorjaarsvakantie", "meivakantie", "zomervakantie"}


@pytest.mark.parametrize(
    "municipality", ["vlaardingen", "maassluis", "schiedam", "rotterdam", "capelle-aan-den-ijssel"]
)
def test_zuid_holland_municipalities_follow_midden(municipality: str) -> None:
    calendar = load_calendar(municipality)
    assert calendar.closed == MIDDEN.closed
    assert calendar.public_holidays == MIDDEN.public_holidays


# -- layering ------------------------------------------------------------------------------


def test_the_calendar_package_imports_only_stdlib_yaml_holidays_pydantic_and_flows() -> None:
    # flows/ is the pure domain layer (docs/architecture.md): no aiogram, SQLAlchemy, bot/...
    # pydantic validates the calendar files (flows/calendar/schema.py).
    import ast
    import sys
    from pathlib import Path

    import flows.calendar

    allowed = set(sys.stdlib_module_names) | {"yaml", "holidays", "pydantic", "pydantic_core", "flows"}
    for source in Path(flows.calendar.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{source.name} imports {roots - allowed}"
