"""Which Dutch public holidays close a school.

The dates come from the `holidays` package (it knows Easter, Ascension, Whitsun and
Koningsdag moving off a Sunday); this module only decides which of them count.

Always closed (Algemene termijnenwet days that schools observe): Nieuwjaarsdag,
Eerste en Tweede Paasdag, Koningsdag, Hemelvaartsdag, Eerste en Tweede Pinksterdag,
Eerste en Tweede Kerstdag, and any other day the package lists as a Dutch public
holiday (so a one-off national day added upstream is not silently ignored).

Per calendar, because schools differ and the law does not decide it for them:
- Goede Vrijdag is not a national day off, yet many schools close; `good_friday_closed`.
- Bevrijdingsdag (5 May) is a national day off only in lustrum years (2025, 2030, ...)
  in most collective agreements; `liberation_day` is ALWAYS, LUSTRUM (default) or NEVER.
  In most years 5 May falls in or next to the meivakantie anyway.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

# The package's Dutch names for the two days we govern ourselves. A test pins them, so
# an upstream rename fails loudly instead of quietly closing schools on Good Friday.
GOOD_FRIDAY = "Goede vrijdag"
LIBERATION_DAY = "Bevrijdingsdag"


class LiberationDay(enum.Enum):
    ALWAYS = "always"
    LUSTRUM = "lustrum"
    NEVER = "never"


class PublicHolidaySource(Protocol):
    def holiday_name(self, day: date) -> str | None:
        """The name of the public holiday that closes schools on `day`, or None."""
        ...


@lru_cache(maxsize=64)
def _package_days(year: int) -> Mapping[date, str]:
    # Imported on the first date asked, not with the module: the package loads every country it knows
    # (about 150 ms), and the calendars are imported by commands that never count a school day
    # (`zorgroute member list`).
    from holidays.constants import OPTIONAL, PUBLIC
    from holidays.countries.netherlands import Netherlands

    # The package's constructor is untyped; this typed alias keeps our side strictly checked.
    netherlands: Callable[..., Mapping[date, str]] = Netherlands
    # Public plus optional: the optional category carries Bevrijdingsdag in every year,
    # which we need for the ALWAYS policy. Cached: building a year costs a few ms.
    found = netherlands(years=year, categories=(PUBLIC, OPTIONAL), language="nl")
    # Read-only: the cached mapping is shared by every calendar.
    return MappingProxyType({day: str(name) for day, name in found.items()})


@dataclass(frozen=True)
class DutchPublicHolidays:
    good_friday_closed: bool = False
    liberation_day: LiberationDay = LiberationDay.LUSTRUM

    def holiday_name(self, day: date) -> str | None:
        name = _package_days(day.year).get(day)
        if name is None:
            return None
        # A day can carry two names joined by "; " when holidays coincide.
        names = [part.strip() for part in name.split(";")]
        kept = [n for n in names if self._counts(n, day)]
        return "; ".join(kept) if kept else None

    def _counts(self, name: str, day: date) -> bool:
        if name == GOOD_FRIDAY:
            return self.good_friday_closed
        if name == LIBERATION_DAY:
            if self.liberation_day is LiberationDay.ALWAYS:
                return True
            if self.liberation_day is LiberationDay.LUSTRUM:
                return day.year % 5 == 0
            return False
        return True
