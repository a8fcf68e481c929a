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
from datetime import date
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from flows.calendar.public_holidays import DutchPublicHolidays, LiberationDay
from flows.calendar.schema import PROBLEMS, REGION_ID, CalendarFile, Holiday, SchoolYear
from flows.calendar.school_calendar import DateRange, SchoolCalendar
from flows.file_schema import Loc, dotted, first_problem
from flows.yaml_text import YAMLError, load_yaml

_REGION_ID = re.compile(REGION_ID)
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
    spec = _read_yaml(filename, entry.read_text(encoding="utf-8"))
    return _parse(filename, region_id, spec, directory, chain)


def _read_yaml(filename: str, text: str) -> CalendarFile:
    try:
        raw = load_yaml(text)
    except YAMLError as exc:
        raise CalendarFileError(f"{filename}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CalendarFileError(f"{filename}: the top level must be a mapping")
    try:
        return CalendarFile.model_validate(raw)
    except ValidationError as exc:
        loc, problem = first_problem(exc, CalendarFile, PROBLEMS)
        raise CalendarFileError(f"{filename}: {_where(loc, raw)}: {problem}") from None


def _where(loc: Loc, raw: Any) -> str:
    """A place in a calendar file as its author reads it: "school year 2026-2027, holiday 'kerst'"."""
    if not loc:
        return "top level"
    parts: list[str] = []
    node, rest = raw, list(loc)
    while rest:
        key = rest.pop(0)
        index = rest[0] if rest else None
        if key in ("school_years", "holidays") and isinstance(index, int):
            rest.pop(0)
            items = node.get(key) if isinstance(node, dict) else None
            node = items[index] if isinstance(items, list) and index < len(items) else {}
            label = node.get("year" if key == "school_years" else "name") if isinstance(node, dict) else None
            parts.append(f"school year {label}" if key == "school_years" else f"holiday {label!r}")
        else:
            parts.append(dotted((key, *rest)))
            break
    return ", ".join(parts)


def _parse(
    filename: str, region_id: str, spec: CalendarFile, directory: Traversable, chain: tuple[str, ...]
) -> _Spec:
    if spec.region != region_id:
        raise CalendarFileError(
            f"{filename}: 'region' must be {region_id!r} (the file name), got {spec.region!r}"
        )
    extra = frozenset(spec.extra_closed)
    options = spec.options.model_dump(exclude_unset=True)
    if spec.extends is not None:
        if spec.school_years is not None:
            raise CalendarFileError(
                f"{filename}: a file that 'extends' another takes its school_years from it; "
                "put extra closed days in 'extra_closed'"
            )
        if not directory.joinpath(f"{spec.extends}.yaml").is_file():
            # Name the alias file: that is the one to fix.
            raise CalendarFileError(f"{filename}: extends {spec.extends!r}, which has no calendar file")
        base = _resolve(spec.extends, directory, (*chain, region_id))
        closed, coverage = base.closed, base.coverage
        options = {**base.options, **options}
        extra |= base.extra_closed
    else:
        if spec.school_years is None:
            raise CalendarFileError(f"{filename}: needs 'school_years' (or 'extends' for an alias)")
        closed, coverage = _school_years(filename, spec.school_years)

    return _Spec(
        name=spec.name or region_id,
        closed=closed,
        coverage=coverage,
        extra_closed=extra,
        good_friday_closed=bool(options.get("good_friday_closed", False)),
        liberation_day=LiberationDay(options.get("liberation_day", LiberationDay.LUSTRUM.value)),
        options=options,
    )


def _school_years(filename: str, years: tuple[SchoolYear, ...]) -> tuple[tuple[DateRange, ...], DateRange]:
    spans: list[tuple[str, DateRange]] = []
    closed: list[DateRange] = []
    for entry in years:
        label, span = _year_span(filename, entry.year)
        spans.append((label, span))
        closed.extend(_holidays(filename, label, span, entry.holidays))

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


def _year_span(filename: str, label: str) -> tuple[str, DateRange]:
    first, second = (int(part) for part in label.split("-"))
    if second != first + 1:
        raise CalendarFileError(
            f'{filename}: school year must be two years in a row like "2026-2027", got {label!r}'
        )
    # A Dutch school year runs from 1 August to 31 July.
    return label, DateRange(date(first, 8, 1), date(first + 1, 7, 31), label)


def _holidays(filename: str, year: str, span: DateRange, holidays: tuple[Holiday, ...]) -> list[DateRange]:
    result: list[DateRange] = []
    for holiday in holidays:
        where = f"school year {year}, holiday {holiday.name!r}"
        start, end = holiday.from_, holiday.to
        if end < start:
            raise CalendarFileError(f"{filename}: {where}: 'to' {end} is before 'from' {start}")
        if start not in span:
            raise CalendarFileError(
                f"{filename}: {where}: starts {start}, outside school year {year} ({span.start}..{span.end})"
            )
        result.append(DateRange(start, end, holiday.name))
    return result
