"""The calendar file format (flows/calendars/*.yaml) as pydantic models. The loader validates a file with
`CalendarFile`, then checks what a schema cannot say (the region matches the file name, the `extends`
chain, holidays inside their school year and not overlapping).

`python -m flows.schemas` publishes the same rules as JSON Schema,
named on each calendar file's first line so an editor checks it while it is typed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool, StringConstraints, WithJsonSchema

from flows.calendar.public_holidays import LiberationDay
from flows.file_schema import FileModel

REGION_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SCHOOL_YEAR = r"^\d{4}-\d{4}$"

PROBLEMS = {REGION_ID: "is not a region id (lowercase words joined by '-')"}


def _a_day(value: Any) -> Any:
    """YAML reads 2026-10-17 as a date; a quoted ISO string is fine too. Anything else (a number, a
    moment with a time of day) is a mistake in a holiday table, not a day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date like 2026-10-17, got {value!r}")


Day = Annotated[date, BeforeValidator(_a_day), WithJsonSchema({"type": "string", "format": "date"})]
RegionId = Annotated[str, StringConstraints(pattern=REGION_ID)]
Name = Annotated[str, StringConstraints(pattern=r"\S")]


class Holiday(FileModel):
    name: Name
    from_: Day = Field(alias="from")
    to: Day = Field(description="the last closed day, inclusive")


def _quoted_year(value: Any) -> Any:
    # Unquoted, YAML reads 2026-2027 as a string but 2026 as a number: say what to write.
    if not isinstance(value, str) or not re.match(SCHOOL_YEAR, value):
        raise ValueError(f'school year must be a quoted string like "2026-2027", got {value!r}')
    return value


Year = Annotated[
    str, BeforeValidator(_quoted_year), WithJsonSchema({"type": "string", "pattern": SCHOOL_YEAR})
]


class SchoolYear(FileModel):
    year: Year = Field(description='quoted, "2026-2027": a Dutch school year runs from 1 August to 31 July')
    holidays: tuple[Holiday, ...]


class Options(FileModel):
    good_friday_closed: StrictBool = False
    liberation_day: LiberationDay = LiberationDay.LUSTRUM


class CalendarFile(FileModel):
    """A region's school holidays, or a municipality that `extends` a region."""

    region: RegionId = Field(description="the file's name without .yaml")
    name: Name = Field("", description="shown to people; default: the region id")
    extends: RegionId | None = Field(None, description="a region whose school years this file takes")
    school_years: tuple[SchoolYear, ...] | None = None
    options: Options = Field(default_factory=Options)
    extra_closed: tuple[Day, ...] = Field((), description="study days and other closed days")
