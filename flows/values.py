"""Parsing and checking typed answers: pupil labels and dates. Pure functions, no locale data."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flows.msgids import N_, Msg

# A pupil label is initials + group, optionally the school's own pupil number; no names. Initials are
# capitals ("SK", "S.K.", "S K", up to 4), dotted letters ("s.k.") or two small letters ("sk"): a
# capitalised word ("Daan", "Sem", "Noah") or any longer word is a first name and is refused.
_INITIALS = r"(?P<initials>(?:[A-Z]\.?\s?){1,4}|(?:[a-z]\.\s?){1,4}|[a-z]{1,2})"
# Groups: primary ("5", "5b", "gr 5", "groep 5") and secondary, number first ("2A", "3V", "3hv1", "2havo",
# "2 havo", "4 vwo") or level first ("h2a", "mavo 3", "vwo 5b").
_LEVEL = r"(?:havo|vwo|mavo|vmbo(?:-?[bkgt])?|atheneum|gymnasium|gym|lwoo|pro|isk|[hvmtbkg]{1,2})"
_GROUP = (
    r"(?:gr(?:oep)?\.?\s*|klas\s*)?"
    rf"(?P<group>[1-8]\s?(?:{_LEVEL}\b|[A-Za-z]{{1,3}})?\d?|{_LEVEL}\s?[1-6][A-Za-z]?\d?)"
)
# Case matters (no IGNORECASE): it tells initials from names.
_PUPIL = re.compile(rf"^\s*{_INITIALS}\s+{_GROUP}\s*(?:(?:#|nr\.?\s*)?(?P<number>\d{{3,10}}))?\s*$")


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
    return {"label": f"{initials} {_group(match['group'])}", "number": match["number"], "id": None}


def _group(typed: str) -> str:
    """A group as the school writes it ("5b", "3V" for vwo 3, "2havo", "h2a"): letters kept as typed,
    since "3V" and "3v" may be different classes; one space at most."""
    return re.sub(r"\s+", " ", typed.strip())


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
