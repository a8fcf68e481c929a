"""The long-running commands of the emulator package: `zorgroute demo` (the emulator, its page and the
demo schools, with the real bot polling it) and `zorgroute emulator` (the emulator alone).

`bot/cli/` imports this module only inside those two commands, so the product never loads it."""

from __future__ import annotations

import asyncio
import logging
import signal
import time

from bot.runner import serve_polling
from bot.settings import EMULATOR_TOKEN, Settings
from emulator.demo import demo_settings, start_demo
from emulator.server import start_emulator
from emulator.state import EmulatorState
from flows.clock import Clock

log = logging.getLogger("zorgroute")


async def run_demo(
    settings: Settings, *, started: float | None = None, base_clock: Clock | None = None
) -> None:
    """The demo beside `settings`: on their data folder's `demo/` (its own SQLite file and keys, never
    ZORGROUTE_DATABASE_URL), until SIGINT/SIGTERM."""
    started = time.perf_counter() if started is None else started
    demo = await start_demo(demo_settings(settings), base_clock=base_clock)
    try:
        await serve_polling(demo.runtime, started)
    finally:
        await demo.close()


async def run_emulator(host: str, port: int) -> None:
    """The emulator alone, until SIGINT/SIGTERM: for scripts, or for `zorgroute run` pointed at it."""
    emulator = await start_emulator(EmulatorState(), host, port)
    _log_emulator_howto(emulator.base_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emulator.close()


def _log_emulator_howto(base_url: str) -> None:
    log.info("the Bot API emulator listens at %s", base_url)
    log.info(
        "run the bot against it:  TELEGRAM_API_BASE=%s TELEGRAM_BOT_TOKEN='%s' zorgroute run",
        base_url,
        EMULATOR_TOKEN,
    )
    log.info("create an invite:        zorgroute school add 'De Regenboog' --kind po")
    log.info("                         zorgroute invite create --school 1 --role ib")
    log.info(
        "talk as user 42:         curl -s -X POST %s/control/send -H 'Content-Type: application/json' "
        '-d \'{"user_id": 42, "text": "/start CODE"}\'',
        base_url,
    )
    log.info("read the replies:        curl -s %s/control/chats/42/messages", base_url)
