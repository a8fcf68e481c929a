"""Apply Alembic migrations from the installed package (no repo-relative alembic.ini needed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Migration files are NNNN_feature.py with revision "NNNN" (README: "Building on the foundation").
_NUMBERED = re.compile(r"^(\d{4})_\w+\.py$")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def newest_revision() -> str | None:
    """The highest numbered migration shipped, read from the file names (no Alembic import)."""
    numbers = [m.group(1) for p in (MIGRATIONS_DIR / "versions").iterdir() if (m := _NUMBERED.match(p.name))]
    return max(numbers, default=None)


async def ensure_current(url: str) -> None:
    """Upgrade the database at `url` unless it is already at the newest shipped migration. Loading
    Alembic and every migration script costs a second; a database that is current (nearly every CLI
    command and every restart) only needs one query to say so."""
    newest = newest_revision()
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            versions = await connection.run_sync(_applied)
    finally:
        await engine.dispose()
    if newest is None or versions != [newest]:
        await upgrade(url)


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database behind `engine` is at the newest shipped migration (a worker's readiness:
    one started from newer code than the database's must not take updates). Raises when unreachable."""
    async with engine.connect() as connection:
        return await connection.run_sync(_applied) == [newest_revision()]


def _applied(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return [str(v) for v in connection.scalars(text("SELECT version_num FROM alembic_version"))]


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the newest)."""
    from alembic import command  # only when there is something to do: Alembic is slow to import

    config = alembic_config(url)
    engine = create_engine(url)

    def _upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()
