"""A case's Meldcode record: the five steps of the Meldcode with their dates and who decided, read from
the case's timeline. It is what a school shows the Inspectie or Veilig Thuis to prove it followed its
Meldcode (`zorgroute meldcode report`, `zorgroute pupil export`).

Only what the timeline keeps of the Meldcode's own steps goes in, and of that only choices and dates:
never a free-text answer, never anything from the route that handed the case over (its signal's notes,
its contact log). Names are given by the caller (the edge knows them); the record is pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from flows.case import Case, TimelineEntry
from flows.route import Route

MELDCODE = "meldcode"

# The Meldcode step each of the route's steps belongs to. Step 5 is the decision with the afwegingskader:
# its questions (mc_besluit, mc_hulp, mc_hulp_werkt) and the report and Veilig Thuis's answer it leads to.
# The signal that started it (mc_start) and the closing steps belong to none.
STEP_NUMBER: dict[str, int] = {
    "mc_signalen": 1,
    "mc_collegiaal": 2,
    "mc_gesprek": 3,
    "mc_wegen": 4,
    "mc_besluit": 5,
    "mc_hulp": 5,
    "mc_hulp_werkt": 5,
    "mc_melden": 5,
    "mc_vt_reactie": 5,
}
FIVE = (1, 2, 3, 4, 5)
KEPT_KINDS = frozenset({"choice", "multi", "date"})  # what the record shows of an answer

State = Literal["taken", "skipped", "open", "not_reached"]


@dataclass(frozen=True)
class Decider:
    """Who took a step: the role they acted in and their display name (None when not known)."""

    member_id: int | None
    role: str | None
    name: str | None


@dataclass(frozen=True)
class RecordLine:
    """One moment of the Meldcode: a step submitted, the hand-over in or back, an action, a reminder."""

    at: datetime
    number: int | None  # the Meldcode step (1-5), None for the hand-over, the start, the return
    step: str
    action: str  # entered, submitted, corrected, action:<id>, follow_up:<id>, returned
    by: Decider | None  # None: the system (a follow-up, the return)
    values: dict[str, Any]  # field id -> choice value(s) or ISO date; nothing typed


@dataclass(frozen=True)
class StepRecord:
    """One of the five steps: taken (when, by whom), skipped (why: the danger the Meldcode allows for, or
    acute unsafety that sent the case straight to the report), open now, or not reached."""

    number: int
    state: State
    at: datetime | None = None
    by: tuple[Decider, ...] = ()
    reason: str | None = None  # skipped: "danger" (step 3) or "acute" (straight to the report)


@dataclass(frozen=True)
class MeldcodeRecord:
    ref: str
    school_id: int
    pupil: str | None
    timezone: str  # the school's, to show the moments in
    meldcode_version: int
    entered_from: str | None  # the route that handed the case over; None when started as the Meldcode
    started_at: datetime | None
    status: Literal["running", "closed"]
    outcome: str | None  # the closing step (mc_gemeld, mc_gemonitord, mc_geen_vermoeden) once closed
    reports: int  # reports made to Veilig Thuis
    steps: tuple[StepRecord, ...]
    lines: tuple[RecordLine, ...]


def went_through_meldcode(case: Case, meldcode: Route) -> bool:
    """Whether the case is, or was, in the Meldcode."""
    return case.route_id == meldcode.id or any(_is_meldcode(e, meldcode) for e in case.timeline)


def meldcode_version(case: Case) -> int | None:
    """The Meldcode version the case is pinned at (it is in it now, or was handed to it), if any."""
    if case.route_id == MELDCODE:
        return case.route_version
    for entry in reversed(case.timeline):
        if entry.action == f"enter_route:{MELDCODE}":
            return int(str(entry.summary["route"]).rpartition("@")[2])
    return None


def meldcode_record(case: Case, meldcode: Route, names: Mapping[int, str] | None = None) -> MeldcodeRecord:
    """The record of `case` in `meldcode` (the version it is pinned at). `names`: member id -> display
    name, for the deciders."""
    names = names or {}
    lines = tuple(_line(e, meldcode, names) for e in case.timeline if _is_meldcode(e, meldcode))
    entered = next((ln for ln in lines if ln.action == "entered"), None)
    started = entered or next(iter(lines), None)
    in_it = case.route_id == meldcode.id
    closing = [ln for ln in lines if ln.action == "returned"]
    outcome = closing[-1].step if closing and not in_it else None
    if in_it and meldcode.step(case.step).terminal:
        outcome = case.step
    running = in_it and outcome is None and case.is_open
    status: Literal["running", "closed"] = "running" if running else "closed"
    current = STEP_NUMBER.get(case.step) if in_it and case.is_open else None
    reports = sum(1 for ln in lines if ln.step == "mc_melden" and ln.action == "submitted")
    return MeldcodeRecord(
        ref=case.ref,
        school_id=case.school_id,
        pupil=case.pupil.label if case.pupil else None,
        timezone=case.timezone,
        meldcode_version=meldcode.version,
        entered_from=_caller(case, meldcode, entered),
        started_at=started.at if started else None,
        status=status,
        outcome=outcome,
        reports=reports,
        steps=tuple(_step(n, lines, current) for n in FIVE),
        lines=lines,
    )


def _is_meldcode(entry: TimelineEntry, meldcode: Route) -> bool:
    return entry.action == f"enter_route:{meldcode.id}" or entry.step in meldcode.steps


def _line(entry: TimelineEntry, meldcode: Route, names: Mapping[int, str]) -> RecordLine:
    by = None
    if entry.member_id is not None:
        by = Decider(entry.member_id, entry.role, names.get(entry.member_id))
    if entry.action == f"enter_route:{meldcode.id}":
        summary = {"from": entry.step, "route": str(entry.summary.get("route", ""))}
        return RecordLine(entry.at, None, entry.to_step or meldcode.entry_step, "entered", by, summary)
    action = "returned" if entry.action == f"returned:{meldcode.id}" else entry.action
    values = _kept(meldcode, entry.step, entry.summary) if action in ("submitted", "corrected") else {}
    return RecordLine(entry.at, STEP_NUMBER.get(entry.step), entry.step, action, by, values)


def _kept(meldcode: Route, step_id: str, summary: dict[str, Any]) -> dict[str, Any]:
    """Choices and dates only: a typed answer (the signals' facts) stays out, even its existence."""
    kinds = {f.id: f.kind for f in meldcode.step(step_id).fields}
    return {k: v for k, v in summary.items() if kinds.get(k) in KEPT_KINDS}


def _caller(case: Case, meldcode: Route, entered: RecordLine | None) -> str | None:
    """The route that handed the case over: the frame it returns to while in the Meldcode, the route it
    is back in afterwards."""
    if entered is None:
        return None
    if case.route_id == meldcode.id:
        return case.stack[-1].route_id if case.stack else None
    return case.route_id


def _step(number: int, lines: tuple[RecordLine, ...], current: int | None) -> StepRecord:
    acted = [ln for ln in lines if ln.number == number and ln.action == "submitted"]
    if number == 3 and acted and all(ln.values.get("held") == "gevaar" for ln in acted):
        return StepRecord(number, "skipped", acted[0].at, _deciders(acted), "danger")
    if acted:
        return StepRecord(number, "taken", acted[0].at, _deciders(acted))
    acute = [
        ln for ln in lines if ln.action == "action:acuut_melden" and (ln.number or 0) <= number and number < 5
    ]
    if acute:
        return StepRecord(number, "skipped", acute[0].at, _deciders(acute), "acute")
    if current == number:
        return StepRecord(number, "open")
    return StepRecord(number, "not_reached")


def _deciders(lines: list[RecordLine]) -> tuple[Decider, ...]:
    out: list[Decider] = []
    for ln in lines:
        if ln.by is not None and ln.by not in out:
            out.append(ln.by)
    return tuple(out)


def record_as_dict(record: MeldcodeRecord) -> dict[str, Any]:
    """The record as plain data (JSON): value ids and ISO moments, the same in every language."""

    def who(d: Decider | None) -> dict[str, Any] | None:
        return None if d is None else {"member": d.member_id, "role": d.role, "name": d.name}

    def when(at: datetime | None) -> str | None:
        return None if at is None else at.isoformat()

    return {
        "ref": record.ref,
        "school_id": record.school_id,
        "pupil": record.pupil,
        "timezone": record.timezone,
        "meldcode_version": record.meldcode_version,
        "entered_from": record.entered_from,
        "started_at": when(record.started_at),
        "status": record.status,
        "outcome": record.outcome,
        "reports": record.reports,
        "steps": [
            {
                "number": s.number,
                "state": s.state,
                "at": when(s.at),
                "by": [who(d) for d in s.by],
                "reason": s.reason,
            }
            for s in record.steps
        ],
        "timeline": [
            {
                "at": ln.at.isoformat(),
                "number": ln.number,
                "step": ln.step,
                "action": ln.action,
                "by": who(ln.by),
                "values": ln.values,
            }
            for ln in record.lines
        ],
    }
