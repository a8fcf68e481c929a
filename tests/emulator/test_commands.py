"""The command menu per scope and language, as the bot sets it at startup."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats

from emulator import EmulatorState

pytestmark = pytest.mark.asyncio


async def test_commands_per_language_and_scope(bot: Bot, state: EmulatorState) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Begin")], language_code="nl")
    await bot.set_my_commands([BotCommand(command="start", description="Start")], language_code="en")
    await bot.set_my_commands(
        [BotCommand(command="help", description="Hulp")],
        scope=BotCommandScopeAllGroupChats(),
    )

    assert [c.description for c in await bot.get_my_commands(language_code="nl")] == ["Begin"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert await bot.get_my_commands() == []
    assert state.commands({"type": "all_group_chats"}) == [{"command": "help", "description": "Hulp"}]

    await bot.delete_my_commands(language_code="en")
    assert state.commands(language_code="en") == []


async def test_invalid_command_name_is_rejected(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start Nu", description="x")])
