"""Checks shared by the Bot API methods, worded as Telegram words its 400 answers."""

from __future__ import annotations

from emulator.errors import bad_request
from emulator.history import ChatLog
from emulator.params import Params
from emulator.state import EmulatorState

MESSAGE_TEXT_MAX = 4096
CAPTION_MAX = 1024


def resolve_chat(state: EmulatorState, p: Params) -> ChatLog:
    # The bot can only write to chats that exist, i.e. where a user spoke first.
    log = state.chat_log(p.chat_ref())
    if log is None:
        raise bad_request("chat not found")
    return log


def checked_text(text: str | None) -> str:
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MESSAGE_TEXT_MAX:
        raise bad_request("message is too long")
    return text


def checked_caption(caption: str | None) -> str:
    if caption is not None and len(caption) > CAPTION_MAX:
        raise bad_request("message caption is too long")
    return caption or ""
