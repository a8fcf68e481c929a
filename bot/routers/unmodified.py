"""A press on a message whose keyboard is already gone (a replayed, forged or double press) makes the
handler remove a keyboard that is not there, and Telegram answers "message is not modified". The message
already looks as intended, so this is not an error; anything else still is."""

from __future__ import annotations

import logging

from aiogram import Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionMessageFilter, ExceptionTypeFilter
from aiogram.types import ErrorEvent

log = logging.getLogger(__name__)


async def _not_modified(event: ErrorEvent) -> bool:
    log.debug("ignored a no-op edit: %s", event.exception)
    return True


def register(dp: Dispatcher) -> None:
    """On the dispatcher itself, so it runs before any other error handler sees the no-op."""
    dp.errors.register(
        _not_modified,
        ExceptionTypeFilter(TelegramBadRequest),
        ExceptionMessageFilter(r".*message is not modified"),
    )
