"""Load school calendars from the YAML files shipped in ``flows/calendars``.

One file per region id. A region file lists its school years and holidays; a
municipality file `extends:` a region so a school can name its gemeente. Files are
validated on load, and every error names the file and the problem: a wrong date in a
holiday table would otherwise surface weeks later as a reminder sent into a vacation.

The only I/O is reading these files through importlib.resources (a test may pass another
directory with the same layout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.calendar.public_holidays import DutchPublicHolidays, LiberationDay
from flows.calendar.school_calendar import DateRange, SchoolCalendar
from flows.yaml_text import YAMLError, load_yaml

_REGION_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
_TOP_KEYS = frozenset({"region", "name", "extends", "school_years", "options", "extra_closed"})
_YEAR_KEYS = frozenset({"year", "holidays"})
_HOLIDAY_KEYS = frozenset({"name", "from", "to"})
_OPTION_KEYS = frozenset({"good_friday_closed", "liberation_day"})
# A municipality chain longer than this is a mistake, not a design.
_MAX_EXTENDS_DEPTH = 4


class CalendarFileError(ValueError):
    """A calendar file is missing, unreadable or invalid; the message names the file."""


def _default_directory() -> Traversable:
    return files("flows").joinpath("calendars")


def available_regions(*, directory: Traversable | None = None) -> tuple[str, ...]:
    """Region and municipality ids that have a calendar file, sorted."""
    folder = directory if directory is not None else _default_directory()
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in folder.iterdir()
            if entry.is_file() and entry.name.endswith(".yaml")
        )
    )


def load_calendar(
    region_id: str,
    *,
    timezone: str = "Europe/Amsterdam",
    directory: Traversable | None = None,
) -> SchoolCalendar:
    """The validated `SchoolCalendar` for `region_id` (a region or a municipality alias)."""
    if directory is None:
        # Shipped files never change at run time, so parse each region once.
        return _load_shipped(region_id, timezone)
    return _load(region_id, timezone, directory)


@lru_cache(maxsize=32)
def _load_shipped(region_id: str, timezone: str) -> SchoolCalendar:
    return _load(region_id, timezone, _default_directory())


def _load(region_id: str, timezone: str, directory: Traversable) -> SchoolCalendar:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {timezone!r}") from exc
    spec = _resolve(region_id, directory, chain=())
    return SchoolCalendar(
        region=region_id,
        name=spec.name,
        public_holidays=DutchPublicHolidays(
            good_friday_closed=spec.good_friday_closed,
            liberation_day=spec.liberation_day,
        ),
        closed=spec.closed,
        extra_closed=spec.extra_closed,
        timezone=zone,
        coverage=spec.coverage,
    )


@dataclass(frozen=True)
class _Spec:
    """What one file says, after its `extends:` chain has been applied."""

    name: str
    closed: tuple[DateRange, ...] = ()
    coverage: DateRange | None = None
    extra_closed: frozenset[date] = frozenset()
    good_friday_closed: bool = False
    liberation_day: LiberationDay = LiberationDay.LUSTRUM
    options: dict[str, Any] = field(default_factory=dict)


def _resolve(region_id: str, directory: Traversable, chain: tuple[str, ...]) -> _Spec:
    if not isinstance(region_id, str) or not _REGION_ID.match(region_id):
        # Checked before touching the directory, so an id can never become a path.
        raise CalendarFileError(f"{region_id!r}: region ids are lowercase words joined by '-'")
    if region_id in chain:
        raise CalendarFileError(f"{region_id}.yaml: extends loop {' -> '.join((*chain, region_id))}")
    if len(chain) > _MAX_EXTENDS_DEPTH:
        raise CalendarFileError(f"{chain[0]}.yaml: extends chain deeper than {_MAX_EXTENDS_DEPTH}")
    filename = f"{region_id}.yaml"
    entry = directory.joinpath(filename)
    if not entry.is_file():
        known = ", ".join(available_regions(directory=directory)) or "none"
        raise CalendarFileError(f"{filename}: no calendar for region {region_id!r} (known: {known})")
    raw = _read_yaml(filename, entry.read_text(encoding="utf-8"))
    return _parse(filename, region_id, raw, directory, chain)


def _read_yaml(filename: str, text: str) -> dict[str, Any]:
    try:
        raw = load_yaml(text)
    except YAMLError as exc:
        raise CalendarFileError(f"{filename}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CalendarFileError(f"{filename}: the top level must be a mapping")
    return raw


def _parse(
    filename: str, region_id: str, raw: dict[str, Any], directory: Traversable, chain: tuple[str, ...]
) -> _Spec:
    _check_keys(filename, "top level", raw, _TOP_KEYS)
    if raw.get("region") != region_id:
        raise CalendarFileError(
            f"{filename}: 'region' must be {region_id!r} (the file name), got {raw.get('region')!r}"
        )
    name = raw.get("name", region_id)
    if not isinstance(name, str) or not name.strip():
        raise CalendarFileError(f"{filename}: 'name' must be a non-empty string")
    extra = frozenset(_dates(filename, "extra_closed", raw.get("extra_closed", [])))

    if "extends" in raw:
        if "school_years" in raw:
            raise CalendarFileError(
                f"{filename}: a file that 'extends' another takes its school_years from it; "
                "put extra closed days in 'extra_closed'"
            )
        parent = raw["extends"]
        if not isinstance(parent, str):
            raise CalendarFileError(f"{filename}: 'extends' must be a region id, got {parent!r}")
        if _REGION_ID.match(parent) and not directory.joinpath(f"{parent}.yaml").is_file():
            # Name the alias file: that is the one to fix.
            raise CalendarFileError(f"{filename}: extends {parent!r}, which has no calendar file")
        base = _resolve(parent, directory, (*chain, region_id))
        closed, coverage = base.closed, base.coverage
        options = {**base.options, **_options(filename, raw.get("options", {}))}
        extra |= base.extra_closed
    else:
        if "school_years" not in raw:
            raise CalendarFileError(f"{filename}: needs 'school_years' (or 'extends' for an alias)")
        closed, coverage = _school_years(filename, raw["school_years"])
        options = _options(filename, raw.get("options", {}))

    return _Spec(
        name=name,
        closed=closed,
        coverage=coverage,
        extra_closed=extra,
        good_friday_closed=bool(options.get("good_friday_closed", False)),
        liberation_day=LiberationDay(options.get("liberation_day", LiberationDay.LUSTRUM.value)),
        options=options,
    )


def _check_keys(filename: str, where: str, mapping: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(str(key) for key in mapping if key not in allowed)
    if unknown:
        raise CalendarFileError(
            f"{filename}: unknown key {', '.join(map(repr, unknown))} in {where} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _options(filename: str, raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CalendarFileError(f"{filename}: 'options' must be a mapping")
    _check_keys(filename, "options", raw, _OPTION_KEYS)
    if "good_friday_closed" in raw and not isinstance(raw["good_friday_closed"], bool):
        raise CalendarFileError(f"{filename}: options.good_friday_closed must be true or false")
    if "liberation_day" in raw:
        allowed = [policy.value for policy in LiberationDay]
        if raw["liberation_day"] not in allowed:
            raise CalendarFileError(
                f"{filename}: options.liberation_day must be one of {', '.join(allowed)}, "
                f"got {raw['liberation_day']!r}"
            )
    return dict(raw)


def _school_years(filename: str, raw: object) -> tuple[tuple[DateRange, ...], DateRange]:
    if not isinstance(raw, list) or not raw:
        raise CalendarFileError(f"{filename}: 'school_years' must be a non-empty list")
    spans: list[tuple[str, DateRange]] = []
    closed: list[DateRange] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise CalendarFileError(f"{filename}: each school year must be a mapping")
        _check_keys(filename, f"school year {entry.get('year')!r}", entry, _YEAR_KEYS)
        label, span = _year_span(filename, entry.get("year"))
        spans.append((label, span))
        closed.extend(_holidays(filename, label, span, entry.get("holidays")))

    spans.sort(key=lambda item: item[1].start)
    for (label_a, a), (label_b, b) in pairwise(spans):
        if a.overlaps(b):
            raise CalendarFileError(f"{filename}: school year {label_b} overlaps {label_a} (listed twice?)")
        if (b.start - a.end).days != 1:
            # A gap would make `coverage` claim a year we have no holidays for.
            raise CalendarFileError(f"{filename}: school years {label_a} and {label_b} leave a gap")

    closed.sort(key=lambda r: r.start)
    for a, b in pairwise(closed):
        if a.overlaps(b):
            raise CalendarFileError(
                f"{filename}: {a.name} ({a.start}..{a.end}) overlaps {b.name} ({b.start}..{b.end})"
            )
    if not closed:
        raise CalendarFileError(f"{filename}: 'school_years' lists no holidays")
    # Coverage is the span the table describes: first holiday to last. Not 1 August: the
    # previous year's zomervakantie runs well into August and is not in this file, so
    # claiming those weeks would call vacation days school days.
    return tuple(closed), DateRange(closed[0].start, max(r.end for r in closed), "coverage")


def _year_span(filename: str, raw: object) -> tuple[str, DateRange]:
    match = _YEAR.match(raw) if isinstance(raw, str) else None
    if match is None or int(match[2]) != int(match[1]) + 1:
        raise CalendarFileError(
            f'{filename}: school year must be a quoted string like "2026-2027", got {raw!r}'
        )
    label, first = match[0], int(match[1])
    # A Dutch school year runs from 1 August to 31 July.
    return label, DateRange(date(first, 8, 1), date(first + 1, 7, 31), label)


def _holidays(filename: str, year: str, span: DateRange, raw: object) -> list[DateRange]:
    if not isinstance(raw, list):
        raise CalendarFileError(f"{filename}: school year {year}: 'holidays' must be a list")
    result: list[DateRange] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise CalendarFileError(f"{filename}: school year {year}: each holiday must be a mapping")
        name = entry.get("name")
        where = f"school year {year}, holiday {name!r}"
        _check_keys(filename, where, entry, _HOLIDAY_KEYS)
        if not isinstance(name, str) or not name.strip():
            raise CalendarFileError(f"{filename}: school year {year}: every holiday needs a 'name'")
        for key in ("from", "to"):
            if key not in entry:
                raise CalendarFileError(f"{filename}: {where}: missing '{key}'")
        start = _date(filename, f"{where}, 'from'", entry["from"])
        end = _date(filename, f"{where}, 'to'", entry["to"])
        if end < start:
            raise CalendarFileError(f"{filename}: {where}: 'to' {end} is before 'from' {start}")
        if start not in span:
            raise CalendarFileError(
                f"{filename}: {where}: starts {start}, outside school year {year} ({span.start}..{span.end})"
            )
        result.append(DateRange(start, end, name))
    return result


def _dates(filename: str, where: str, raw: object) -> list[date]:
    if not isinstance(raw, list):
        raise CalendarFileError(f"{filename}: '{where}' must be a list of dates")
    return [_date(filename, where, item) for item in raw]


def _date(filename: str, where: str, raw: object) -> date:
    # YAML turns 2026-10-17 into a date; accept a quoted ISO string too. A datetime is a
    # date subclass, but a time of day in a holiday table is a mistake.
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise CalendarFileError(f"{filename}: {where}: expected a date like 2026-10-17, got {raw!r}")
