"""Shared fixtures: a database per test (SQLite always, PostgreSQL when configured), fixed clock and ids."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url

from bot.settings import Settings
from flows.clock import FrozenClock, SequentialIds

POSTGRES_ENV = "ZORGROUTE_TEST_POSTGRES_URL"
# A Monday morning in a school week, Dutch time.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden transcript files from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated-nothing-yet database of its own for one test."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/zorgroute-test.db"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set: PostgreSQL tests need a server")
    import asyncpg

    schema = f"t_{secrets.token_hex(6)}"
    dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await connection.close()
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}search_path={schema}"
    finally:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await connection.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def ids() -> SequentialIds:
    return SequentialIds()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_bot_token=None,
        secret_key="test-secret-key",
        data_dir=tmp_path / "data",
        locale="nl",
        # Tests press faster than people can; tests/test_abuse.py tests the flood limit with its own.
        rate_limit_burst=10_000,
    )
