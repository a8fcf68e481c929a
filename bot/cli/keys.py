"""`zorgroute keys generate | rotate`: data keys for encryption at rest.

Rotating: put a new key in front of ZORGROUTE_DATA_KEY (`NEW,OLD`), run `keys rotate`, then drop OLD.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import settings_from_env


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("keys", help="data keys (encryption at rest)")
    commands = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    generate = commands.add_parser("generate", help="print a new key to put in front of ZORGROUTE_DATA_KEY")
    generate.set_defaults(func=_generate)
    rotate = commands.add_parser("rotate", help="re-encrypt every sealed value under the newest key")
    rotate.add_argument("--batch", type=int, default=200, help="rows per transaction")
    rotate.set_defaults(func=_rotate)


def _generate(args: argparse.Namespace) -> int:
    from storage.crypto import new_key

    print(new_key().decode())
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from bot.cli.unit import data_cipher, open_sessions
    from storage.rotation import reseal_all

    settings = settings_from_env()

    async def go() -> dict[str, int]:
        async with open_sessions(settings) as sessions:
            return await reseal_all(sessions, data_cipher(settings), batch=max(1, args.batch))

    for table, count in asyncio.run(go()).items():
        print(f"{table}: {count} re-sealed")
    return 0
