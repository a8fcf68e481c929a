"""A database of its own for every test, already at the newest migration, made cheaply.

Running Alembic for every test cost 0.4 s (SQLite) to 0.7 s (PostgreSQL). Instead each test process
migrates once and copies:
- SQLite: one template file migrated online; each test gets a copy of the file.
- PostgreSQL: Alembic's offline script (the SQL `alembic upgrade head --sql` prints) is rendered once;
  each test gets a schema of its own (reached through `?search_path=`) with the script run in it. A
  schema, not `CREATE DATABASE … TEMPLATE`: dropping a database forces a checkpoint (over 1 s each).
`tests/test_migrations.py` still runs the real online migrations, on an empty database of each kind.
"""

from __future__ import annotations

import asyncio
import io
import secrets
import shutil
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy.engine import make_url

from storage.migrate import alembic_config, upgrade

POSTGRES_ENV = "ZORGROUTE_TEST_POSTGRES_URL"

# For tests whose subject is not the database (the Mini App's screens and forms, what goes through the chat
# in each content mode): they run on the embedded SQLite only, which halves their share of `make test`.
# What the engines do differently is tested on both: the repositories, participation, the outbox and
# follow-ups, the report, migrations, the access matrix's command sweep, and one end-to-end run per route.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def migrated_sqlite_template(folder: Path) -> Path:
    """A SQLite file at the newest migration (its WAL checkpointed into it when the engine closed)."""
    path = folder / "template.db"
    # In a thread: a session fixture may be set up while a test's event loop is running.
    _run_in_thread(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


def sqlite_copy(template: Path, folder: Path) -> str:
    target = folder / "zorgroute-test.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


def postgres_upgrade_script() -> str:
    """Every migration as PostgreSQL SQL, unqualified, so it builds in whatever schema is first on the
    search path."""
    config = alembic_config("postgresql+asyncpg://offline/render")
    config.output_buffer = buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    return buffer.getvalue()


@asynccontextmanager
async def postgres_schema(base_url: str, script: str | None) -> AsyncIterator[str]:
    """A fresh schema on the server at `base_url` (with `script` run in it, if given); yields the URL
    whose connections use it; drops it afterwards."""
    import asyncpg

    schema = f"t_{secrets.token_hex(6)}"
    dsn = make_url(base_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
        if script is not None:
            await connection.execute(f'SET search_path TO "{schema}"; {script}')
    finally:
        await connection.close()
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}search_path={schema}"
    finally:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await connection.close()


def _run_in_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()
