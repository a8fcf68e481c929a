"""Engine `Notify` events → outbox rows, one per recipient and channel, in the case's transaction.

The payload is minimal by design: the message id, the case reference, the pupil label and the step to
open. What the members wrote never leaves the bot; the recipient opens the case, where access is checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flows import events as ev
from flows.case import Case
from flows.route import Route
from storage.models import Member
from storage.uow import UnitOfWork


def channels_for(member: Member, urgent: bool) -> list[str]:
    """The channels a member is notified on. Telegram always; preferences extend this."""
    return ["telegram"]


async def queue_notifications(
    uow: UnitOfWork, route: Route, case: Case, events: Iterable[ev.Event], *, now: datetime, event_seq: int
) -> int:
    queued = 0
    for index, event in enumerate(events):
        if not isinstance(event, ev.Notify):
            continue
        roles = sorted(route.expand(event.roles))
        for member in await uow.members.with_roles(case.school_id, roles):
            if member.id == event.exclude:
                continue
            for channel in channels_for(member, event.urgent):
                row = await uow.outbox.add(
                    key=f"n:{case.ref}:{event_seq}:{index}:{member.id}:{channel}",
                    member_id=member.id,
                    channel=channel,
                    kind="notify",
                    case_id=case.id,
                    urgent=event.urgent,
                    now=now,
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
                )
                queued += row is not None
    return queued
