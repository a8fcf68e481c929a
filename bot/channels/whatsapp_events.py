"""The parts of WhatsApp webhook notifications we keep: delivery statuses and who wrote when.

Inbound message content, profile names and the like are deliberately not extracted: we only
need "this number wrote at this time" to know the customer-service window is open.
Malformed entries are skipped, not fatal: one odd item must not lose the rest of a batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

Status = Literal["sent", "delivered", "read", "failed"]
_STATUSES = frozenset({"sent", "delivered", "read", "failed"})


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: Status
    recipient: str
    timestamp: datetime
    error_code: int | None


@dataclass(frozen=True)
class Inbound:
    wa_id: str
    timestamp: datetime


def parse_statuses(payload: Mapping[str, object]) -> list[StatusUpdate]:
    updates: list[StatusUpdate] = []
    for value in _message_values(payload):
        for item in _mappings(value.get("statuses")):
            wamid, status = item.get("id"), item.get("status")
            recipient = item.get("recipient_id")
            timestamp = _timestamp(item.get("timestamp"))
            if not (isinstance(wamid, str) and isinstance(recipient, str)):
                continue
            if status not in _STATUSES or timestamp is None:
                continue  # e.g. "deleted" or "warning": nothing the outbox tracks
            updates.append(
                StatusUpdate(
                    wamid=wamid,
                    status=cast(Status, status),
                    recipient=recipient,
                    timestamp=timestamp,
                    error_code=_first_error_code(item.get("errors")),
                )
            )
    return updates


def parse_inbound(payload: Mapping[str, object]) -> list[Inbound]:
    inbound: list[Inbound] = []
    for value in _message_values(payload):
        for item in _mappings(value.get("messages")):
            wa_id = item.get("from")
            timestamp = _timestamp(item.get("timestamp"))
            if isinstance(wa_id, str) and timestamp is not None:
                inbound.append(Inbound(wa_id=wa_id, timestamp=timestamp))
    return inbound


def _message_values(payload: Mapping[str, object]) -> Iterator[Mapping[str, object]]:
    """The ``value`` of every ``changes`` item for the ``messages`` field."""
    if payload.get("object") != "whatsapp_business_account":
        return
    for entry in _mappings(payload.get("entry")):
        for change in _mappings(entry.get("changes")):
            value = change.get("value")
            if change.get("field") == "messages" and isinstance(value, Mapping):
                yield value


def _mappings(value: object) -> Iterator[Mapping[str, object]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, Mapping))


def _timestamp(value: object) -> datetime | None:
    # Meta sends Unix seconds as a string.
    if isinstance(value, str) and value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    return None


def _first_error_code(errors: object) -> int | None:
    for error in _mappings(errors):
        code = error.get("code")
        if isinstance(code, int):
            return code
    return None
