"""The clock control's vocabulary: steps like "+1d", and the hooks the bot runner installs.

The emulator owns no scheduler: advancing time and firing due follow-ups belong to the bot, so
the runner hands in a handler and the emulator only validates the step and publishes the result.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

# The step the handler receives: "+30m", "+2h", "+1d", "+1w". Forward only: follow-ups that already
# fired cannot be taken back, so a backwards step would show a world the bot never lived through.
ClockHandler = Callable[[str], Awaitable[dict[str, Any]]]
ClockReader = Callable[[], datetime]
# What the bot holds back for quiet hours: [{"to_user_id", "channel", "due_at" (ISO)}, ...].
HeldReader = Callable[[], Awaitable[list[dict[str, Any]]]]

_STEP = re.compile(r"^\+(\d{1,4})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ClockNotWired(LookupError):
    """Nobody installed a clock handler, so the emulator cannot move time."""


def parse_step(step: str) -> timedelta:
    """Read "+1d" as timedelta(days=1); ValueError names the accepted forms."""
    match = _STEP.match(step.strip())
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"bad clock step {step!r}: use +N followed by m, h, d or w (e.g. +1d)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
