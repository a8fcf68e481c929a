"""Who the bot is and which commands it advertises (getMe, set/get/deleteMyCommands)."""

from __future__ import annotations

import re
from typing import Any

from emulator.errors import bad_request
from emulator.params import Params
from emulator.state import EmulatorState

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


async def get_me(state: EmulatorState, p: Params) -> dict[str, Any]:
    return dict(state.bot_user)


async def set_my_commands(state: EmulatorState, p: Params) -> bool:
    raw = p.obj("commands")
    if not isinstance(raw, list) or len(raw) > 100:
        raise bad_request("can't parse commands JSON object")
    commands = [_checked_command(c) for c in raw]
    state.set_commands(_scope(p), p.text("language_code") or "", commands)
    return True


async def get_my_commands(state: EmulatorState, p: Params) -> list[dict[str, str]]:
    # Exact scope and language only: Telegram's fallback applies to users, not to this call.
    return state.commands(_scope(p), p.text("language_code") or "")


async def delete_my_commands(state: EmulatorState, p: Params) -> bool:
    state.delete_commands(_scope(p), p.text("language_code") or "")
    return True


def _checked_command(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise bad_request("can't parse commands JSON object")
    command, description = str(raw.get("command", "")), str(raw.get("description", ""))
    if not _COMMAND.fullmatch(command):
        raise bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(description) <= 256:
        raise bad_request("command description is empty or too long")
    return {"command": command, "description": description}


def _scope(p: Params) -> dict[str, Any] | None:
    scope = p.obj("scope")
    if scope is not None and not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    return scope
