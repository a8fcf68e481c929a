"""Parsing and checking typed answers: pupil labels and dates (numbers or Dutch words). Pure functions."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

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
Tense = Literal["past", "future"] | None

# Dutch date words. Our own small parser rather than a date library: flows/ stays free of heavy imports
# and locale data, the words teachers type are few, and the field's tense decides what "dinsdag" or
# "3 maart" means (the last one or the next one), which a general parser does not know.
_DAYS_FROM_TODAY = {"vandaag": 0, "gisteren": -1, "eergisteren": -2, "morgen": 1, "overmorgen": 2}
_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTHS = {
    name: n + 1
    for n, names in enumerate(
        (
            ("januari", "jan"),
            ("februari", "feb"),
            ("maart", "mrt", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augustus", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        )
    )
    for name in names
}
_NUMBERS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6}
_WEEKDAY = re.compile(
    r"^(?:(?P<which>vorige|afgelopen|volgende|komende|deze)\s+)?(?P<week>week\s+)?"
    rf"(?P<day>{'|'.join(_WEEKDAYS)})$"
)
_DAY_MONTH = re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>[a-z]+)\.?(?:\s+(?P<year>\d{4}))?$")
_COUNT = r"(?P<n>\d{1,2}|" + "|".join(_NUMBERS) + r")\s+(?P<unit>dag|dagen|week|weken)"
_AGO = re.compile(rf"^{_COUNT}\s+geleden$")
_AHEAD = re.compile(rf"^over\s+{_COUNT}$")


def parse_date(text: str, today: date, tense: Tense = None) -> date:
    """Dutch order (dd-mm-jjjj) or ISO, or Dutch words ("gisteren", "vorige week dinsdag", "3 maart",
    "over 2 weken"). A date without a year, or a weekday alone, is the nearest one on the field's side of
    today (the last for a past field, the next for a future one), else the nearest; then checked."""
    words = " ".join(text.lower().split())
    try:
        result = _from_words(words, today, tense) or _from_numbers(text, today, tense)
    except ValueError as exc:
        if isinstance(exc, ValueProblem):
            raise
        raise ValueProblem(N_("input.date_invalid")) from exc
    if result is None:
        raise ValueProblem(N_("input.date_invalid"))
    return check_date(result, today, tense)


def _from_numbers(text: str, today: date, tense: Tense) -> date | None:
    iso = _ISO.match(text)
    if iso:
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    dmy = _DMY.match(text)
    if not dmy:
        return None
    day, month = int(dmy[1]), int(dmy[2])
    if dmy[3]:
        year = int(dmy[3])
        return date(year + 2000 if year < 100 else year, month, day)
    return _without_year(day, month, today, tense)


def _without_year(day: int, month: int, today: date, tense: Tense) -> date:
    candidates = []
    for dy in (-1, 0, 1):
        try:
            candidates.append(date(today.year + dy, month, day))
        except ValueError:  # 29 February in a year without it
            continue
    if not candidates:
        raise ValueError("no such day")
    if tense == "past":
        return max((d for d in candidates if d <= today), default=min(candidates))
    if tense == "future":
        return min((d for d in candidates if d >= today), default=max(candidates))
    return min(candidates, key=lambda d: abs(d - today))


def _from_words(words: str, today: date, tense: Tense) -> date | None:
    if words in _DAYS_FROM_TODAY:
        return today + timedelta(days=_DAYS_FROM_TODAY[words])
    if match := _WEEKDAY.match(words):
        return _weekday(_WEEKDAYS.index(match["day"]), match["which"], bool(match["week"]), today, tense)
    if match := _DAY_MONTH.match(words):
        month = _MONTHS.get(match["month"])
        if month is None:
            return None
        if match["year"]:
            return date(int(match["year"]), month, int(match["day"]))
        return _without_year(int(match["day"]), month, today, tense)
    for pattern, sign in ((_AGO, -1), (_AHEAD, 1)):
        if match := pattern.match(words):
            n = int(match["n"]) if match["n"].isdigit() else _NUMBERS[match["n"]]
            days = n * (7 if match["unit"].startswith("we") else 1)
            return today + timedelta(days=sign * days)
    return None


def _weekday(day: int, which: str | None, week: bool, today: date, tense: Tense) -> date:
    """ "vorige week dinsdag": Tuesday of last week; "volgende week dinsdag": of next week; "deze week
    dinsdag": of this week; "afgelopen/vorige dinsdag": the last Tuesday before today; "komende/volgende
    dinsdag": the next one after today; "dinsdag": the last or next one by the field's tense."""
    monday = today - timedelta(days=today.weekday())
    if week or which == "deze":
        offset = {"vorige": -7, "afgelopen": -7, "volgende": 7, "komende": 7}.get(which or "", 0)
        return monday + timedelta(days=offset + day)
    back = (today.weekday() - day) % 7 or 7
    ahead = (day - today.weekday()) % 7 or 7
    if which in ("vorige", "afgelopen") or (which is None and tense != "future"):
        return today - timedelta(days=back)
    return today + timedelta(days=ahead)


def check_date(value: date, today: date, tense: Tense = None) -> date:
    """A date not too far away, and on the field's side of today: a past field refuses a later day, a
    future field an earlier one (today fits both)."""
    if abs(value - today) > MAX_DATE_DISTANCE:
        raise ValueProblem(N_("input.date_out_of_range"))
    if tense == "past" and value > today:
        raise ValueProblem(N_("input.date_not_past"))
    if tense == "future" and value < today:
        raise ValueProblem(N_("input.date_not_future"))
    return value
