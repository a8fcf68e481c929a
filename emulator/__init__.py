"""A local Telegram Bot API emulator: the real aiogram client talks to it over loopback."""

from __future__ import annotations

from emulator.clock import ClockHandler, ClockNotWired, ClockReader, HeldReader, parse_step
from emulator.faults import FaultKind, FaultPlan, Stats
from emulator.models import (
    Button,
    CallbackAnswer,
    ChatMessage,
    ExternalDelivery,
    Person,
    UploadedFile,
)
from emulator.server import RunningEmulator, build_app, start_emulator
from emulator.state import EmulatorState

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
    "HeldReader",
    "Person",
    "RunningEmulator",
    "Stats",
    "UploadedFile",
    "build_app",
    "parse_step",
    "start_emulator",
]
