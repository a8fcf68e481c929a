"""Transcripts: who sends or presses what → what each person receives, with a fixed clock and ids.

One runner serves the golden tests (tests/golden/), `zorgroute simulate FILE` and a region trying a
route change without Telegram. It runs the real bot: the real aiogram client talks HTTP to the Bot API
emulator on loopback, each update goes through the dispatcher, and the outbox is drained after each
step, so notifications appear in the recipients' chats in order.

A transcript file (YAML):

    route: vlaardingen
    clock: 2026-11-23T09:00:00+01:00
    school: {name: De Regenboog, kind: po}          # the school the people belong to (naming: capelle)
    people:
      juf: {roles: [leerkracht]}
      ib: {roles: [ib], language: en}
      ib_elders: {roles: [ib], school: other}       # a member of another school
      vreemde: {stranger: true}                     # not registered
    steps:
      - {who: juf, send: /signaal}
      - {who: juf, press: "Zorg (thuis)"}           # a button by its text, on the newest message that has it
      - {who: ib, press_data: "f:Z-0001:x:y:c:0"}   # raw (possibly forged) button data
      - {clock: "+3d"}                              # move the clock (d, h, m)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.cases import EventLog
from emulator.server import start_emulator
from emulator.state import EmulatorState
from flows.clock import FrozenClock, SequentialIds
from storage.uow import UnitOfWork

FIRST_USER_ID = 1001
_DELTA = re.compile(r"^\+(\d+)([dhm])$")


@dataclass
class Transcript:
    route: str
    clock: datetime
    school: dict[str, Any]
    people: dict[str, dict[str, Any]]
    steps: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> Transcript:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        clock = raw["clock"]
        if isinstance(clock, str):
            clock = datetime.fromisoformat(clock)
        return cls(raw["route"], clock, raw.get("school", {}), raw["people"], raw["steps"])


@dataclass
class StepRecord:
    step: dict[str, Any]
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


async def run_transcript(transcript: Transcript, database_url: str) -> dict[str, Any]:
    """Run `transcript` against a fresh database at `database_url`; returns the record as plain data."""
    from bot.app import EMULATOR_TOKEN, prepare  # the app imports this module's users; keep it lazy
    from bot.settings import load_settings

    clock = FrozenClock(transcript.clock.astimezone(UTC))
    state = EmulatorState(now=clock.now)
    emulator = await start_emulator(state)
    event_log: EventLog = []
    runtime = await prepare(
        # A transcript replays a conversation as fast as it can: no flood limit.
        load_settings(database_url=database_url, rate_limit_burst=1_000_000),
        clock=clock,
        ids=SequentialIds(),
        token=EMULATOR_TOKEN,
        api_base=emulator.base_url,
        event_log=event_log,
    )
    await runtime.dp["name_guard"].wait()  # loaded before the first line, not inside one of its updates
    try:
        ids = await seed_people(runtime.sessionmaker, transcript, clock.now())
        # Members have opened the bot before (Telegram lets a bot write only to those who have);
        # their welcome is not part of the transcript.
        for name, user_id in ids.items():
            if not transcript.people[name].get("stranger"):
                update = state.user_sends(user_id, "/start", first_name=name)
                await runtime.dp.feed_update(
                    runtime.bot, Update.model_validate(update, context={"bot": runtime.bot})
                )
        records: list[StepRecord] = []
        # (chat, message id) -> (text, edits) already reported
        seen = {
            (uid, m.message_id): (m.text, m.edits) for uid in ids.values() for m in state.bot_messages(uid)
        }
        answered = {uid: len(state.callback_answers(uid)) for uid in ids.values()}
        for step in transcript.steps:
            record = StepRecord(step)
            if "clock" in step:
                clock.advance(_delta(step["clock"]))
                await runtime.follow_ups_due()
            else:
                user_id = ids[step["who"]]
                if "send" in step:
                    update = state.user_sends(user_id, str(step["send"]), first_name=step["who"])
                elif "press" in step:
                    update = state.user_presses(user_id, button_text=str(step["press"]))
                elif "press_data" in step:
                    update = state.user_presses(user_id, data=str(step["press_data"]))
                else:
                    raise ValueError(f"a step needs send, press, press_data or clock: {step}")
                await runtime.dp.feed_update(
                    runtime.bot, Update.model_validate(update, context={"bot": runtime.bot})
                )
            await runtime.outbox.drain()
            record.events = [_event_json(e) for e in event_log]
            event_log.clear()
            for name, user_id in ids.items():
                fresh = []
                for m in state.bot_messages(user_id):
                    key, now_seen = (user_id, m.message_id), (m.text, m.edits)
                    if seen.get(key) != now_seen:
                        fresh.append(_message_json(m))
                        seen[key] = now_seen
                # The short answer to a button press (a toast, or an alert for a refusal).
                answers = state.callback_answers(user_id)
                fresh.extend(
                    {"alert" if a.show_alert else "toast": a.text}
                    for a in answers[answered[user_id] :]
                    if a.text
                )
                answered[user_id] = len(answers)
                if fresh:
                    record.received[name] = fresh
            records.append(record)
        final = await runtime.final_cases()
        return {"route": transcript.route, "steps": [r.__dict__ for r in records], "cases": final}
    finally:
        await runtime.close()
        await emulator.close()


async def seed_people(
    sessionmaker: async_sessionmaker[AsyncSession], transcript: Transcript, now: datetime
) -> dict[str, int]:
    """Create the transcript's schools and members directly (registration has its own tests); returns
    each person's Telegram user id, numbered from FIRST_USER_ID in the order the file lists them."""
    ids = {name: FIRST_USER_ID + i for i, name in enumerate(transcript.people)}
    async with UnitOfWork(sessionmaker) as uow:
        schools: dict[str, int] = {}
        for name, person in transcript.people.items():
            if person.get("stranger"):
                continue
            key = str(person.get("school", "main"))
            if key not in schools:
                info = transcript.school if key == "main" else {"name": f"Andere school ({key})"}
                school = await uow.schools.add(
                    name=str(info.get("name", "De Regenboog")),
                    kind=str(info.get("kind", "po")),
                    route_id=str(info.get("route", transcript.route)),
                    now=now,
                )
                if info.get("naming"):  # a school's own role names, e.g. capelle
                    await uow.schools.set_naming(school, str(info["naming"]))
                schools[key] = school.id
            member = await uow.members.add(
                telegram_user_id=ids[name],
                display_name=str(person.get("name", name)),
                language=str(person.get("language", "nl")),
                now=now,
            )
            await uow.members.add_roles(member, schools[key], list(person["roles"]))
        await uow.commit()
    return ids


def _delta(text: str) -> timedelta:
    match = _DELTA.match(str(text).strip())
    if not match:
        raise ValueError(f"clock steps look like +3d, +2h or +30m, not {text!r}")
    amount, unit = int(match[1]), match[2]
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]


def _message_json(message: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": message.text}
    if message.document:
        out["document"] = message.document
    if message.buttons:
        out["buttons"] = [[b.text for b in row] for row in message.buttons]
    if message.edits:
        out["edited"] = True
    return out


def _event_json(item: tuple[str, Any]) -> dict[str, Any]:
    ref, event = item
    data = {k: v for k, v in event.__dict__.items() if v not in ((), None, {}, "", 0, False)}
    return {"type": type(event).__name__, "case": ref, **json.loads(json.dumps(data, default=list))}
