"""Translation between our records and Telegram's JSON objects (User, Chat, Message, markup)."""

from __future__ import annotations

from typing import Any

from emulator.errors import bad_request
from emulator.models import Button, ChatMessage, UploadedFile

BOT_USER: dict[str, Any] = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Zorgroute",
    "username": "zorgroute_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}

CALLBACK_DATA_MAX_BYTES = 64


def user_json(
    user_id: int, first_name: str, username: str | None, language_code: str | None
) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username is not None:
        user["username"] = username
    if language_code is not None:
        user["language_code"] = language_code
    return user


def chat_json(chat_id: int, chat_type: str, user: dict[str, Any] | None) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private" and user is not None:
        chat["first_name"] = user["first_name"]
        if "username" in user:
            chat["username"] = user["username"]
    else:
        chat["title"] = f"{chat_type.capitalize()} {chat_id}"
    return chat


def utf16_len(text: str) -> int:
    # Entity offsets and lengths are counted in UTF-16 code units, not code points.
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    word = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(word)}]


def parse_inline_keyboard(markup: Any) -> list[list[Button]]:
    """Buttons of an InlineKeyboardMarkup; [] for no markup, a reply keyboard or a removal."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return []
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    return [[_parse_button(b) for b in row] for row in rows]


def _parse_button(raw: Any) -> Button:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data, url = raw.get("callback_data"), raw.get("url")
    if data is not None:
        size = len(str(data).encode())
        # The 64-byte ceiling is the one rule a typed CallbackData can still break at runtime.
        if size == 0 or size > CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
        return Button(raw["text"], callback_data=str(data))
    if url is not None:
        return Button(raw["text"], url=str(url))
    web_app = raw.get("web_app")
    if web_app is not None:
        # Telegram accepts only an https Mini App URL; the demo serves its Mini App over http on loopback.
        if not isinstance(web_app, dict) or not isinstance(web_app.get("url"), str):
            raise bad_request('can\'t parse inline keyboard button: field "web_app" must be an Object')
        return Button(raw["text"], web_app=web_app["url"])
    if len(raw) == 1:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    return Button(raw["text"])  # other kinds (copy_text, ...) kept by their text only


def keyboard_json(buttons: list[list[Button]]) -> dict[str, Any]:
    rows = []
    for row in buttons:
        out = []
        for b in row:
            item: dict[str, Any] = {"text": b.text}
            if b.callback_data is not None:
                item["callback_data"] = b.callback_data
            if b.url is not None:
                item["url"] = b.url
            if b.web_app is not None:
                item["web_app"] = {"url": b.web_app}
            out.append(item)
        rows.append(out)
    return {"inline_keyboard": rows}


def message_json(
    msg: ChatMessage,
    chat: dict[str, Any],
    sender: dict[str, Any] | None,
    file: UploadedFile | None = None,
) -> dict[str, Any]:
    """The Message object as Telegram would return or deliver it right now."""
    out: dict[str, Any] = {
        "message_id": msg.message_id,
        "date": int(msg.date.timestamp()),
        "chat": chat,
    }
    if sender is not None:
        out["from"] = sender
    elif chat["type"] == "channel":
        out["sender_chat"] = chat
    if msg.edit_date is not None:
        out["edit_date"] = int(msg.edit_date.timestamp())
    _add_content(out, msg, file)
    if msg.buttons:
        out["reply_markup"] = keyboard_json(msg.buttons)
    return out


def _add_content(out: dict[str, Any], msg: ChatMessage, file: UploadedFile | None) -> None:
    text_key, entities_key = "text", "entities"
    if file is not None and msg.document is not None:
        out["document"] = _document_json(file)
        text_key, entities_key = "caption", "caption_entities"
    elif file is not None and msg.photo is not None:
        # Dimensions are not decoded from the bytes; aiogram only needs the fields present.
        out["photo"] = [
            {
                "file_id": file.file_id,
                "file_unique_id": file.file_unique_id,
                "width": 0,
                "height": 0,
                "file_size": file.size,
            }
        ]
        text_key, entities_key = "caption", "caption_entities"
    if msg.text or text_key == "text":
        out[text_key] = msg.text
    if msg.entities:
        out[entities_key] = msg.entities


def _document_json(file: UploadedFile) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_name": file.filename,
        "file_size": file.size,
    }
    if file.mime_type:
        doc["mime_type"] = file.mime_type
    return doc


def message_view(msg: ChatMessage) -> dict[str, Any]:
    """A ChatMessage as plain JSON for the control API and the event stream."""
    return {
        "message_id": msg.message_id,
        "chat_id": msg.chat_id,
        "from_bot": msg.from_bot,
        "sender_id": msg.sender_id,
        "text": msg.text,
        "parse_mode": msg.parse_mode,
        "buttons": [
            [
                {"text": b.text, "callback_data": b.callback_data, "url": b.url, "web_app": b.web_app}
                for b in row
            ]
            for row in msg.buttons
        ],
        "edits": msg.edits,
        "document": msg.document,
        "photo": msg.photo,
        # The page shows a picture inline from /control/files/{file_id}.
        "file_id": msg.file_id,
        "date": msg.date.isoformat(),
    }
