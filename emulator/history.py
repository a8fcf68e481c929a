"""One chat's history: the Chat object, its messages in order, and its message_id counter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.models import ChatMessage


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
        self.messages = [msg if m.message_id == msg.message_id else m for m in self.messages]

    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages if m.from_bot]

    # -- what a user can press (ValueError explains a test's mistake) -------------------
    def target_message(self, message_id: int | None) -> ChatMessage:
        """The message a press lands on: the given one, or the bot's newest."""
        if message_id is None:
            sent = self.bot_messages()
            if not sent:
                raise ValueError(f"the bot has sent nothing to chat {self.chat_id} to press on")
            return sent[-1]
        msg = self.get(message_id)
        if msg is None:
            raise ValueError(f"chat {self.chat_id} has no message {message_id}")
        return msg

    def find_button(self, text: str, message_id: int | None) -> tuple[ChatMessage, str]:
        """The newest bot message carrying a button with this text, and that button's data."""
        candidates = [self.target_message(message_id)] if message_id else self.bot_messages()
        for msg in reversed(candidates):
            for button in (b for row in msg.buttons for b in row if b.text == text):
                if button.callback_data is None:
                    raise ValueError(f"button {text!r} opens {button.url!r}; it sends no callback")
                return msg, button.callback_data
        available = [f"#{m.message_id}: {m.button_texts()}" for m in candidates if m.buttons]
        listed = "; ".join(available) or "none"
        raise ValueError(f"no button {text!r} in chat {self.chat_id}; available: {listed}")
