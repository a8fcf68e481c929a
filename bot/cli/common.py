from __future__ import annotations

import logging

from bot.settings import Settings, load_settings


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def settings_from_env() -> Settings:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return settings
