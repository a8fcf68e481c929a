"""Engine-level golden scenarios, goflow style: a route, the actors and the engine calls in; the
engine's events per call and the final cases out. No database, no bot: milliseconds per scenario.

A scenario file (YAML, tests/golden/engine/<route>/<name>.yaml):

    route: vlaardingen
    start: 2026-11-23T08:00:00+00:00       # the moment the scenario begins
    timezone: Europe/Amsterdam             # the schools' timezone, given to Engine.start
    actors:                                # who acts: a member, in the context of one school
      juf: {member: 1, school: 1, roles: [leerkracht]}
      ib_elders@1: {member: 4, school: 1, roles: []}    # another school's IB-er, at this case's school
    calls:
      - {at: 2026-11-23T08:00:00+00:00, who: juf, start: vlaardingen, ref: Z-0001}
      - {at: 2026-11-23T08:00:00+00:00, who: juf, case: Z-0001, input: {type: Answer, text: OP 2}}
      - {at: 2026-11-26T08:00:00+00:00, case: Z-0001, timeout: {follow_up: reminder, step: ib_beoordeling}}

`input` is one of flows/inputs.py's dataclasses, by name, with its fields. The golden file beside it
(<name>.golden.json) holds per call its events (as plain data) and at the end every case as
`flows.snapshot.case_snapshot` shows it — the same shape as the bot-level golden files' "cases".

The only things the bot does to a case besides the engine are storage's: on save the case and its pupil
get their row ids (`Case.id`, `Pupil.id`). The engine reads neither and the snapshot shows neither, so the
runner leaves them None. When these scenarios were recorded from the bot-level transcripts, every case the
bot handed to the engine was checked to be, apart from those ids, the case the engine had returned last.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from flows import events as ev
from flows import inputs as inp
from flows.case import Case
from flows.engine import Result, RouteEngine
from flows.policy import Actor
from flows.registry import builtin_registry
from flows.snapshot import case_snapshot

INPUTS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        inp.Open,
        inp.Answer,
        inp.Choose,
        inp.SetValue,
        inp.Toggle,
        inp.Done,
        inp.Confirm,
        inp.Reopen,
        inp.Discard,
        inp.DoAction,
        inp.Correct,
        inp.Timeout,
    )
}


@dataclass(frozen=True)
class Scenario:
    route: str
    start: datetime
    timezone: str
    actors: dict[str, Actor]
    calls: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> Scenario:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        actors = {
            name: Actor(int(a["member"]), int(a["school"]), frozenset(a.get("roles") or ()))
            for name, a in raw["actors"].items()
        }
        return cls(raw["route"], _moment(raw["start"]), raw["timezone"], actors, list(raw["calls"]))


def input_from_data(data: dict[str, Any]) -> inp.Input:
    fields = dict(data)
    kind = INPUTS[fields.pop("type")]
    result: inp.Input = kind(**fields)
    return result


def input_to_data(given: inp.Input) -> dict[str, Any]:
    return {"type": type(given).__name__, **dataclasses.asdict(given)}


def event_to_data(event: ev.Event) -> dict[str, Any]:
    """An event as plain data: its type and the fields that differ from their defaults."""
    out: dict[str, Any] = {"type": type(event).__name__}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if value != default:
            out[f.name] = value
    # tuples of tuples -> lists of lists, as JSON has them
    return dict(json.loads(json.dumps(out, default=list)))


def run_scenario(scenario: Scenario, route_engine: RouteEngine | None = None) -> dict[str, Any]:
    """Replay the scenario's calls; returns {"route", "calls": [{"call", "events"}], "cases"}."""
    route_engine = route_engine or RouteEngine(builtin_registry())
    cases: dict[str, Case] = {}
    records: list[dict[str, Any]] = []
    last = scenario.start
    for call in scenario.calls:
        now = _moment(call["at"])
        if now < last:  # the engine reads no clock, so only the file can keep time moving forward
            raise ValueError(f"a call goes back in time, before {last.isoformat()}: {call}")
        last = now
        if "who" in call and call["who"] not in scenario.actors:
            raise ValueError(f"{call['who']!r} is not among the scenario's actors: {call}")
        if "case" in call and call["case"] not in cases:
            raise ValueError(f"case {call['case']!r} was not started before: {call}")
        actor = scenario.actors[call["who"]] if "who" in call else None
        events: tuple[ev.Event, ...]
        if "start" in call:
            if actor is None:
                raise ValueError(f"a start needs `who`: {call}")
            started = route_engine.start(
                call["start"], actor, ref=call["ref"], now=now, timezone=scenario.timezone
            )
            if isinstance(started, ev.Refused):
                events = (started,)
            else:
                cases[started.case.ref] = started.case
                events = started.events
        else:
            given = inp.Timeout(**call["timeout"]) if "timeout" in call else input_from_data(call["input"])
            result: Result = route_engine.advance(cases[call["case"]], actor, given, now)
            cases[call["case"]] = result.case
            events = result.events
        records.append({"call": describe(call), "events": [event_to_data(e) for e in events]})
    return {
        "route": scenario.route,
        "calls": records,
        "cases": [case_snapshot(cases[ref]) for ref in sorted(cases)],
    }


def describe(call: dict[str, Any]) -> str:
    """One readable line per call, so a golden diff says which call changed."""
    when = _moment(call["at"]).isoformat()
    if "start" in call:
        return f"{when} {call['who']}: start {call['start']} as {call['ref']}"
    if "timeout" in call:
        t = call["timeout"]
        return f"{when} {call['case']}: timeout {t['follow_up']} on {t['step']}"
    given = dict(call["input"])
    kind = given.pop("type")
    args = " ".join(f"{k}={v}" for k, v in given.items())
    return f"{when} {call['who']} on {call['case']}: {kind} {args}".rstrip()


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"a moment needs a timezone: {value!r}")
    return moment
