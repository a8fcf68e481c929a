"""sendDocument and sendPhoto: keep what was uploaded so tests can open the file the bot sent."""

from __future__ import annotations

from typing import Any, Literal

from emulator.errors import bad_request
from emulator.methods.common import checked_caption, resolve_chat
from emulator.models import UploadedFile
from emulator.params import FilePart, Params
from emulator.state import EmulatorState
from emulator.wire import parse_inline_keyboard


async def send_document(state: EmulatorState, p: Params) -> dict[str, Any]:
    return _send_file(state, p, "document")


async def send_photo(state: EmulatorState, p: Params) -> dict[str, Any]:
    return _send_file(state, p, "photo")


def _send_file(state: EmulatorState, p: Params, kind: Literal["document", "photo"]) -> dict[str, Any]:
    log = resolve_chat(state, p)
    caption = checked_caption(p.text("caption"))
    buttons = parse_inline_keyboard(p.obj("reply_markup"))
    stored = _stored_file(state, p.file(kind), kind)
    msg = state.record_bot_message(
        log,
        text=caption,
        buttons=buttons,
        parse_mode=p.text("parse_mode"),
        file_id=stored.file_id,
        **{kind: stored.filename},
    )
    return state.message_json(log.chat_id, msg)


def _stored_file(state: EmulatorState, source: FilePart | str | None, kind: str) -> UploadedFile:
    if source is None or source == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(source, FilePart):
        return state.store_file(source.filename, source.content_type, source.data)
    known = state.file(source)  # re-sending by file_id
    if known is not None:
        return known
    if source.startswith(("http://", "https://")):
        # The emulator never fetches URLs; the name is all a transcript needs.
        return state.store_file(source.rstrip("/").rsplit("/", 1)[-1], None, b"")
    raise bad_request("wrong file identifier/HTTP URL specified")
