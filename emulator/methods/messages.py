"""sendMessage, the two edits, answerCallbackQuery and sendChatAction."""

from __future__ import annotations

from typing import Any

from emulator.errors import bad_request
from emulator.history import ChatLog
from emulator.methods.common import checked_text, resolve_chat
from emulator.models import ChatMessage
from emulator.params import Params
from emulator.state import EmulatorState
from emulator.wire import parse_inline_keyboard

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip


async def send_message(state: EmulatorState, p: Params) -> dict[str, Any]:
    log = resolve_chat(state, p)
    text = checked_text(p.text("text"))
    buttons = parse_inline_keyboard(p.obj("reply_markup"))
    entities = p.obj("entities")
    msg = state.record_bot_message(
        log,
        text=text,  # kept as given: HTML is not parsed into entities
        buttons=buttons,
        parse_mode=p.text("parse_mode"),
        entities=entities if isinstance(entities, list) else [],
    )
    return state.message_json(log.chat_id, msg)


async def edit_message_text(state: EmulatorState, p: Params) -> dict[str, Any]:
    log, old = _message_to_edit(state, p)
    if old.document or old.photo:
        raise bad_request("there is no text in the message to edit")
    text = checked_text(p.text("text"))
    # Telegram drops the inline keyboard when an edit does not repeat it.
    buttons = parse_inline_keyboard(p.obj("reply_markup"))
    if text == old.text and buttons == old.buttons:
        raise bad_request(_NOT_MODIFIED)
    msg = state.record_edit(log, old, text=text, buttons=buttons, parse_mode=p.text("parse_mode"))
    return state.message_json(log.chat_id, msg)


async def edit_message_reply_markup(state: EmulatorState, p: Params) -> dict[str, Any]:
    log, old = _message_to_edit(state, p)
    buttons = parse_inline_keyboard(p.obj("reply_markup"))
    if buttons == old.buttons:
        raise bad_request(_NOT_MODIFIED)
    msg = state.record_edit(log, old, text=old.text, buttons=buttons)
    return state.message_json(log.chat_id, msg)


def _message_to_edit(state: EmulatorState, p: Params) -> tuple[ChatLog, ChatMessage]:
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    log = resolve_chat(state, p)
    msg = log.get(p.required_integer("message_id"))
    if msg is None:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return log, msg


async def answer_callback_query(state: EmulatorState, p: Params) -> bool:
    text = p.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer = state.answer_query(
        p.required_text("callback_query_id"),
        text=text,
        show_alert=p.flag("show_alert"),
        url=p.text("url"),
        cache_time=p.integer("cache_time", 0) or 0,
    )
    if answer is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    return True


async def send_chat_action(state: EmulatorState, p: Params) -> bool:
    resolve_chat(state, p)
    if p.text("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
