"""Shared fixtures: a database per test (SQLite always, PostgreSQL when configured), fixed clock and ids."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings

from bot.settings import Settings
from flows.clock import FrozenClock, SequentialIds
from tests.databases import (
    POSTGRES_ENV,
    migrated_sqlite_template,
    postgres_schema,
    postgres_upgrade_script,
    sqlite_copy,
)

# CI draws the same property-test examples every run (a red CI must be reproducible and say why); a
# developer's run keeps exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# A Monday morning in a school week, Dutch time.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden transcript files from the current output instead of comparing",
    )
    parser.addoption(
        "--clock-ahead",
        type=int,
        default=0,
        metavar="DAYS",
        help="move the machine's clock DAYS days ahead for the whole run (time-machine): proves that no "
        "test compares its frozen clock with the real one, which passes only until the calendar moves on",
    )


def pytest_configure(config: pytest.Config) -> None:
    days = int(config.getoption("--clock-ahead"))
    if days:
        import time_machine

        # tick=True: real time keeps passing (timeouts, TLS); asyncio's monotonic clock is not moved.
        traveller = time_machine.travel(timedelta(days=days), tick=True)  # relative to now
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_script() -> str:
    return postgres_upgrade_script()


def _postgres_base() -> str:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set: PostgreSQL tests need a server")
    return base


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own for one test, already at the newest migration (tests/databases.py)."""
    if request.param == "sqlite":
        yield sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    base = _postgres_base()
    async with postgres_schema(base, request.getfixturevalue("postgres_script")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own with nothing in it yet, for tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/zorgroute-empty.db"
        return
    async with postgres_schema(_postgres_base(), None) as url:
        yield url


@pytest.fixture
def machine_clock_a_year_ahead() -> Iterator[None]:
    """The machine's clock (not the test's) a year and a bit ahead, as on the day the frozen test clock
    has long passed: a test that uses this fails if anything in it reads the real clock."""
    import time_machine

    with time_machine.travel(timedelta(days=400), tick=True):  # a timedelta: relative to now
        yield


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
