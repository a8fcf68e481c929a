"""One chat's history: the Chat object, its messages in order, and its message_id counter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.emulator.models import ChatMessage


@dataclass
class ChatLog:
    chat: dict[str, Any]
    messages: list[ChatMessage] = field(default_factory=list)
    # User and bot messages share one increasing sequence per chat, as in Telegram.
    next_message_id: int = 1

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def append(self, msg: ChatMessage) -> ChatMessage:
        self.messages.append(msg)
        return msg

    def get(self, message_id: int) -> ChatMessage | None:
        return next((m for m in self.messages if m.message_id == message_id), None)

    def replace(self, msg: ChatMessage) -> None:
        self.messages = [
            msg if m.message_id == msg.message_id else m for m in self.messages
        ]

    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages if m.from_bot]
