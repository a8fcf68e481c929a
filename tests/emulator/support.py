"""Small helpers the emulator tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Dispatcher

TOKEN = "7000000001:AAEmulatorTestToken_123"

# The start_polling fixture: start_polling(*routers, **workflow_data) -> running Dispatcher.
StartPolling = Callable[..., Awaitable[Dispatcher]]


class Ticker:
    """A monotonic source for the flood limits that moves only when a test moves it."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds
