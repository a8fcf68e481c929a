"""The Bot API methods the emulator answers, and the one entry point that runs them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from emulator.errors import ApiError, TransportFault
from emulator.methods import identity, media, messages, updates
from emulator.params import Params
from emulator.state import EmulatorState

Method = Callable[[EmulatorState, Params], Awaitable[Any]]

_BY_NAME: dict[str, Method] = {
    "getMe": identity.get_me,
    "setMyCommands": identity.set_my_commands,
    "getMyCommands": identity.get_my_commands,
    "deleteMyCommands": identity.delete_my_commands,
    "getUpdates": updates.get_updates,
    "setWebhook": updates.set_webhook,
    "deleteWebhook": updates.delete_webhook,
    "getWebhookInfo": updates.get_webhook_info,
    "sendMessage": messages.send_message,
    "editMessageText": messages.edit_message_text,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "answerCallbackQuery": messages.answer_callback_query,
    "sendChatAction": messages.send_chat_action,
    "sendDocument": media.send_document,
    "sendPhoto": media.send_photo,
}
# Telegram matches method names case-insensitively.
METHODS: dict[str, Method] = {name.lower(): fn for name, fn in _BY_NAME.items()}
SUPPORTED = tuple(_BY_NAME)


async def call_method(state: EmulatorState, name: str, params: Params) -> Any:
    """Run one Bot API call; raises ApiError (an error answer) or TransportFault (no answer)."""
    key = name.lower()
    counters = state.counters
    counters.requests += 1
    try:
        method = METHODS.get(key)
        if method is None:
            raise ApiError(404, "Not Found: method not found")
        _inject_faults(state, key, params)
        return await method(state, params)
    except ApiError as error:
        if error.error_code == 400:
            counters.bad_requests += 1
        elif error.error_code == 429:
            counters.too_many_requests += 1
        elif error.error_code >= 500:
            counters.server_errors += 1
        raise
    except TransportFault as fault:
        if fault.kind == "hang":
            counters.hung += 1
        else:
            counters.dropped += 1
        raise


def _inject_faults(state: EmulatorState, key: str, params: Params) -> None:
    # Faults strike before the method runs, so a failed send leaves no message behind.
    chat_id: int | None = None
    chat_type = "private"
    try:
        ref = params.chat_ref()
    except ApiError:
        ref = None
    log = state.chat_log(ref) if ref is not None else None
    if log is not None:
        chat_id, chat_type = log.chat_id, str(log.chat["type"])
    state.faults.check(key, chat_id, chat_type)
