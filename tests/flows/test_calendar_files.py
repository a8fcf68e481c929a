"""Calendar YAML: what a wrong file says, and a cross-check of the shipped dates."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, timedelta
from pathlib import Path

import pytest
from holidays.countries.netherlands import Netherlands

from flows.calendar import CalendarFileError, LiberationDay, available_regions, load_calendar

# The package's constructor is untyped; a typed alias keeps this file strictly checked.
_school_holidays: Callable[..., Collection[date]] = Netherlands

GOOD = """\
region: testland
name: Testland
options: {good_friday_closed: false, liberation_day: always}
school_years:
  - year: "2026-2027"
    holidays:
      - {name: herfstvakantie, from: 2026-10-17, to: 2026-10-25}
      - {name: kerstvakantie, from: 2026-12-19, to: 2027-01-03}
"""


def write(folder: Path, region: str, text: str) -> Path:
    (folder / f"{region}.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_valid_file_loads_with_its_options(tmp_path: Path) -> None:
    calendar = load_calendar("testland", directory=write(tmp_path, "testland", GOOD))
    assert calendar.name == "Testland"
    assert calendar.public_holidays.liberation_day is LiberationDay.ALWAYS  # type: ignore[attr-defined]
    assert not calendar.is_school_day(date(2026, 10, 21))
    # Coverage is what the table describes: its first holiday to its last.
    assert calendar.covers(date(2026, 11, 1))
    assert not calendar.covers(date(2026, 9, 1)) and not calendar.covers(date(2027, 1, 4))


def test_an_alias_inherits_and_may_add_study_days(tmp_path: Path) -> None:
    write(tmp_path, "testland", GOOD)
    write(tmp_path, "dorp", "region: dorp\nextends: testland\nextra_closed: [2026-11-25]\n")
    calendar = load_calendar("dorp", directory=tmp_path)
    assert not calendar.is_school_day(date(2026, 10, 21))
    assert not calendar.is_school_day(date(2026, 11, 25))
    assert available_regions(directory=tmp_path) == ("dorp", "testland")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "colour: blue\n", r"testland\.yaml: top level: unknown key 'colour'"),
        (
            GOOD.replace("name: herfstvakantie,", "name: herfstvakantie, till: 2026-10-30,"),
            r"testland\.yaml: school year 2026-2027, holiday 'herfstvakantie': unknown key 'till'",
        ),
        (
            GOOD.replace("to: 2026-10-25", "to: 2026-10-15"),
            r"testland\.yaml: .*'herfstvakantie': 'to' 2026-10-15 is before 'from' 2026-10-17",
        ),
        (
            GOOD + '  - year: "2026-2027"\n    holidays: []\n',
            r"testland\.yaml: school year 2026-2027 overlaps 2026-2027",
        ),
        (
            GOOD + '  - year: "2028-2029"\n    holidays: []\n',
            r"testland\.yaml: school years 2026-2027 and 2028-2029 leave a gap",
        ),
        (
            GOOD.replace("to: 2026-10-25", "to: 2026-12-20"),
            r"testland\.yaml: herfstvakantie .* overlaps kerstvakantie",
        ),
        (
            GOOD.replace('"2026-2027"', "2026"),
            r"testland\.yaml: school year 2026, year: school year must be a quoted string",
        ),
        (GOOD.replace("from: 2026-10-17", "from: 17-10-2026"), r"testland\.yaml: .*expected a date"),
        (GOOD.replace("from: 2026-10-17", "from: 2025-10-17"), r"outside school year 2026-2027"),
        (
            GOOD.replace("liberation_day: always", "liberation_day: sometimes"),
            r"testland\.yaml: options\.liberation_day: input should be 'always', 'lustrum' or 'never'",
        ),
        (
            GOOD.split("    holidays:")[0] + "    holidays: []\n",
            r"testland\.yaml: 'school_years' lists no holidays",
        ),
        (
            GOOD.replace("good_friday_closed: false", "good_friday_closed: maybe"),
            r"options\.good_friday_closed: input should be a valid boolean",
        ),
        (GOOD.replace("region: testland", "region: elders"), r"'region' must be 'testland'"),
        ("region: testland\n", r"testland\.yaml: needs 'school_years'"),
        ("region: [unclosed\n", r"testland\.yaml: not valid YAML"),
        ("- just a list\n", r"testland\.yaml: the top level must be a mapping"),
    ],
)
def test_invalid_files_name_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CalendarFileError, match=message):
        load_calendar("testland", directory=write(tmp_path, "testland", text))


def test_alias_problems(tmp_path: Path) -> None:
    write(tmp_path, "testland", GOOD)
    write(tmp_path, "a", "region: a\nextends: b\n")
    write(tmp_path, "b", "region: b\nextends: a\n")
    with pytest.raises(CalendarFileError, match="extends loop a -> b -> a"):
        load_calendar("a", directory=tmp_path)
    write(tmp_path, "c", "region: c\nextends: nowhere\n")
    with pytest.raises(CalendarFileError, match=r"c\.yaml: extends 'nowhere', which has no calendar file"):
        load_calendar("c", directory=tmp_path)
    write(tmp_path, "d", 'region: d\nextends: testland\nschool_years: [{year: "2026-2027", holidays: []}]\n')
    with pytest.raises(CalendarFileError, match=r"d\.yaml: a file that 'extends' another"):
        load_calendar("d", directory=tmp_path)


def test_unknown_region_and_unsafe_ids(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match=r"no calendar for region 'atlantis'.*known: .*midden"):
        load_calendar("atlantis")
    with pytest.raises(CalendarFileError, match="region ids are lowercase"):
        load_calendar("../etc/passwd")
    with pytest.raises(ValueError, match="unknown timezone"):
        load_calendar("midden", timezone="Mars/Olympus")


@pytest.mark.parametrize(("region", "subdiv"), [("noord", "Noord"), ("midden", "Midden"), ("zuid", "Zuid")])
def test_shipped_dates_agree_with_the_holidays_package(region: str, subdiv: str) -> None:
    # An independent transcription of the same Regeling: a disagreement on a weekday is a
    # typo on one side, to be checked against the Rijksoverheid before changing either.
    calendar = load_calendar(region)
    assert calendar.coverage is not None
    published = _school_holidays(years=range(2025, 2028), subdiv=subdiv, categories=("school",))
    day = calendar.coverage.start
    mismatches = []
    while day <= calendar.coverage.end:
        ours = any(day in closure for closure in calendar.closed)
        if day.weekday() < 5 and ours != (day in published):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []
