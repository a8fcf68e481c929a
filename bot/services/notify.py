"""Engine `Notify` events → outbox rows, one per recipient and channel, in the case's transaction.

The payload is minimal by design: the message id, the case reference, the pupil label and the step to
open. What the members wrote never leaves the bot; the recipient opens the case, where access is checked.

Each member's preferences decide the channels (only those the running bot can send on) and, for
non-urgent rows, the time: a row for a member in quiet hours is due when the quiet period ends.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.actors import actor_at
from flows import events as ev
from flows import policy
from flows.case import Case
from flows.participants import members_for
from flows.quiet_hours import quiet_until
from flows.route import Route
from storage.models import Member
from storage.repositories.preferences import Preferences
from storage.uow import UnitOfWork

TELEGRAM_ONLY: frozenset[str] = frozenset({"telegram"})


@dataclass(frozen=True)
class Told:
    """Who a notification reached (their roles) and when the first of them gets it (`at`; `now` when
    nobody was in quiet hours), for the actor's receipt."""

    roles: tuple[str, ...]
    at: datetime
    quiet: bool  # `at` is the end of quiet hours


class Lookups:
    """The members holding roles at a school and members' preferences, each read once and then
    remembered: a batch of follow-ups notifies the same few people about many cases. Lives for one unit
    of work (what it remembers is what that transaction read)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._holders: dict[tuple[int, tuple[str, ...]], list[Member]] = {}
        self._prefs: dict[int, Preferences] = {}

    async def with_roles(self, school_id: int, roles: list[str]) -> list[Member]:
        key = (school_id, tuple(roles))
        if key not in self._holders:
            self._holders[key] = list(await self.uow.members.with_roles(school_id, roles))
        return self._holders[key]

    async def prefs(self, member_id: int) -> Preferences:
        if member_id not in self._prefs:
            self._prefs[member_id] = await self.uow.prefs.get(member_id)
        return self._prefs[member_id]


def channels_for(member: Member, prefs: Preferences, available: Collection[str]) -> list[str]:
    """The channels `member` is notified on: those they chose that the bot can send on and that they
    gave an address for. Never none: without a usable choice, Telegram."""
    reachable = {
        "telegram": member.telegram_user_id is not None,
        "email": prefs.email is not None,
        "whatsapp": prefs.whatsapp is not None,
    }
    chosen = [c for c in prefs.channels if c in available and reachable.get(c, False)]
    return chosen or ["telegram"]


def due_at(prefs: Preferences, now: datetime, *, urgent: bool, timezone: str) -> datetime:
    """Now, or the end of the member's quiet period. The safety route (urgent) never waits."""
    if urgent:
        return now
    later = quiet_until(
        now, start=prefs.quiet_start, end=prefs.quiet_end, weekends=prefs.quiet_weekends, timezone=timezone
    )
    return later or now


async def queue_to_member(
    uow: UnitOfWork,
    member: Member,
    *,
    key: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    available: Collection[str],
    timezone: str,
    urgent: bool = False,
    case_id: int | None = None,
    only: str | None = None,
    told: list[datetime] | None = None,
    lookups: Lookups | None = None,
) -> int:
    """Queue one notification on each of the member's channels (or just `only`); returns rows added.
    `key` names the event and recipient; the channel is appended, so each (event, recipient, channel)
    is queued once however often this runs."""
    prefs = await lookups.prefs(member.id) if lookups is not None else await uow.prefs.get(member.id)
    channels = [only] if only is not None else channels_for(member, prefs, available)
    when = due_at(prefs, now, urgent=urgent, timezone=timezone)
    if told is not None:
        told.append(when)
    added = 0
    for channel in channels:
        is_new = await uow.outbox.add(
            key=f"{key}:{channel}",
            member_id=member.id,
            channel=channel,
            kind=kind,
            case_id=case_id,
            urgent=urgent,
            now=now,
            due_at=when,
            payload=payload,
        )
        added += is_new
    return added


async def queue_notifications(
    uow: UnitOfWork,
    route: Route,
    case: Case,
    events: Iterable[ev.Event],
    *,
    now: datetime,
    event_seq: int,
    available: Collection[str] = TELEGRAM_ONLY,
    timezone: str | None = None,
    told: list[Told] | None = None,
    lookups: Lookups | None = None,
) -> int:
    """Queue the events' notifications; `told` collects, per notification, whom it reached and when."""
    queued = 0
    for index, event in enumerate(events):
        if not isinstance(event, ev.Notify):
            continue
        whens: list[datetime] = []
        reached: set[str] = set()
        for member in await recipients(uow, route, case, event, lookups):
            if member.id == event.exclude:
                continue
            held = {r.role for r in member.roles if r.school_id == case.school_id}
            reached |= {r for r in event.roles if r in held} or held & set(route.expand(event.roles))
            queued += await queue_to_member(
                uow,
                member,
                key=f"n:{case.ref}:{event_seq}:{index}:{member.id}",
                kind="notify",
                case_id=case.id,
                urgent=event.urgent,
                now=now,
                available=available,
                timezone=timezone or case.timezone,
                lookups=lookups,
                payload={
                    "message": event.message,
                    "case_ref": case.ref,
                    "school_id": case.school_id,
                    "pupil": case.pupil.label if case.pupil else None,
                    "step": event.step,
                    "actions": list(event.actions),
                    "urgent": event.urgent,
                    "follow_up": event.follow_up,
                },
                told=whens,
            )
        if told is not None and whens and event.roles:  # a status update to a participant is no news
            first = min(whens)
            told.append(
                Told(tuple(r for r in event.roles if r in reached) or event.roles, first, first > now)
            )
    return queued


async def recipients(
    uow: UnitOfWork, route: Route, case: Case, event: ev.Notify, lookups: Lookups | None = None
) -> list[Member]:
    """Who `event` reaches: the holders of its roles at the case's school and the case's participants for
    its reasons, and of those only whom the policy lets see the case as it now is (before consent the
    SWV-er and the GS hear nothing of a case they may not open; of all coaches, only the chosen one)."""
    roles = sorted(route.expand(event.roles))
    holders = (
        await lookups.with_roles(case.school_id, roles)
        if lookups is not None
        else await uow.members.with_roles(case.school_id, roles)
    )
    found = {m.id: m for m in holders}
    for member_id in sorted(members_for(case, event.participants) - set(found)):
        member = await uow.members.get(member_id)
        if member is not None:
            found[member.id] = member
    return [m for _, m in sorted(found.items()) if policy.can_view(actor_at(m, case.school_id), case, route)]


async def queue_dead_letter_alert(
    uow: UnitOfWork, *, row_id: int, channel: str, error_class: str, now: datetime
) -> int:
    """Tell every admin that a row went dead: its id, channel and error class — nothing of its content.
    Telegram only and never quiet: a stuck outbox is an operational problem."""
    queued = 0
    for admin in await uow.members.with_role_anywhere("admin"):
        if admin.telegram_user_id is None:
            continue
        is_new = await uow.outbox.add(
            key=f"dead:{row_id}:{admin.id}:telegram",
            member_id=admin.id,
            channel="telegram",
            kind="dead_letter",
            urgent=True,
            now=now,
            payload={"row_id": row_id, "channel": channel, "error": error_class},
        )
        queued += is_new
    return queued
