"""A local Telegram Bot API emulator: the real aiogram client talks to it over loopback."""

from __future__ import annotations

from bot.emulator.clock import ClockHandler, ClockNotWired, ClockReader, parse_step
from bot.emulator.faults import FaultKind, FaultPlan, Stats
from bot.emulator.models import (
    Button,
    CallbackAnswer,
    ChatMessage,
    ExternalDelivery,
    Person,
    UploadedFile,
)
from bot.emulator.server import RunningEmulator, build_app, start_emulator
from bot.emulator.state import EmulatorState

__all__ = [
    "Button",
    "CallbackAnswer",
    "ChatMessage",
    "ClockHandler",
    "ClockNotWired",
    "ClockReader",
    "EmulatorState",
    "ExternalDelivery",
    "FaultKind",
    "FaultPlan",
    "Person",
    "RunningEmulator",
    "Stats",
    "UploadedFile",
    "build_app",
    "parse_step",
    "start_emulator",
]
