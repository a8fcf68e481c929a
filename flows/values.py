"""Parsing and checking typed answers: pupil labels and dates. Pure functions, no locale data."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flows.msgids import N_, Msg

# Initials (1–4 letters, dots allowed) + group (PO "5", "5b", "gr 5", "groep 5"; VO class "2A", "3hv1"),
# optionally the school's own pupil number. Anything longer than initials is refused: no names here.
_PUPIL = re.compile(
    r"^\s*(?P<initials>(?:[A-Za-z]\.?\s?){1,4})\s+(?:gr(?:oep)?\.?\s*|klas\s*)?"
    r"(?P<group>[1-8][A-Za-z]{0,3}\d?)\s*(?:(?:#|nr\.?\s*)?(?P<number>\d{3,10}))?\s*$",
)


class ValueProblem(ValueError):
    """An answer that cannot be accepted; `message` is a msgid for the reply, `params` its parameters."""

    def __init__(self, message: Msg, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def parse_pupil(text: str) -> dict[str, str | None]:
    match = _PUPIL.match(text)
    if not match:
        raise ValueProblem(N_("input.pupil_invalid"))
    initials = re.sub(r"[.\s]", "", match["initials"]).upper()
    group = (
        match["group"].lower()
        if match["group"][0].isdigit() and len(match["group"]) <= 2
        else match["group"].upper()
    )
    return {"label": f"{initials} {group}", "number": match["number"], "id": None}


_DMY = re.compile(r"^\s*(\d{1,2})[-/. ](\d{1,2})(?:[-/. ](\d{2}|\d{4}))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
MAX_DATE_DISTANCE = timedelta(days=731)


def parse_date(text: str, today: date) -> date:
    """Dutch order (dd-mm-jjjj); a missing year means the nearest such date; ISO is accepted too."""
    iso = _ISO.match(text)
    try:
        if iso:
            result = date(int(iso[1]), int(iso[2]), int(iso[3]))
        else:
            dmy = _DMY.match(text)
            if not dmy:
                raise ValueProblem(N_("input.date_invalid"))
            day, month = int(dmy[1]), int(dmy[2])
            if dmy[3]:
                year = int(dmy[3])
                result = date(year + 2000 if year < 100 else year, month, day)
            else:
                candidates = [date(today.year + dy, month, day) for dy in (-1, 0, 1)]
                result = min(candidates, key=lambda d: abs(d - today))
    except ValueError as exc:
        if isinstance(exc, ValueProblem):
            raise
        raise ValueProblem(N_("input.date_invalid")) from exc
    return check_date(result, today)


def check_date(value: date, today: date) -> date:
    if abs(value - today) > MAX_DATE_DISTANCE:
        raise ValueProblem(N_("input.date_out_of_range"))
    return value
