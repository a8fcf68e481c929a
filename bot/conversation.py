"""Where a member is in a multi-message conversation: stored on the member row, so restarts keep it.

Features start a conversation with `set_conversation`, read it with `get_conversation` (or filter
handlers with `InConversation("signaal")`), and /annuleer clears any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from storage.models import Member


@dataclass(frozen=True)
class Conversation:
    name: str  # the feature, e.g. "signaal"
    step: str  # a stable step id within it
    data: dict[str, Any] = field(default_factory=dict)  # JSON-safe values only


def get_conversation(member: Member) -> Conversation | None:
    raw = member.conversation
    if not raw:
        return None
    return Conversation(name=raw["name"], step=raw["step"], data=dict(raw.get("data") or {}))


def set_conversation(member: Member, conversation: Conversation) -> None:
    # Assign a new dict: in-place changes to a JSON column are not tracked.
    member.conversation = {"name": conversation.name, "step": conversation.step, "data": conversation.data}


def clear_conversation(member: Member) -> Conversation | None:
    """End whatever conversation was open; returns it (None when there was none)."""
    previous = get_conversation(member)
    member.conversation = None
    return previous


class InConversation(Filter):
    """Matches when the member is in conversation `name` (and, if given, at one of `steps`)."""

    def __init__(self, name: str, *steps: str) -> None:
        self.name = name
        self.steps = frozenset(steps)

    async def __call__(self, event: TelegramObject, member: Member | None = None) -> bool:
        if member is None:
            return False
        current = get_conversation(member)
        return (
            current is not None
            and current.name == self.name
            and (not self.steps or current.step in self.steps)
        )
