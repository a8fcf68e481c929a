from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def settings_from_env() -> Settings:
    # Imported here, not with the module: every command module imports this one to build its parser,
    # and pydantic-settings costs about 0.2 s that `zorgroute --help` has no use for.
    from bot.settings import load_settings

    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return settings
