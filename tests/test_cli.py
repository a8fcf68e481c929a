"""The admin's command line: main() in-process with the test's clock (tests/cli.py), and one real
subprocess that proves the console script starts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.cli import zorgroute
from tests.harness import BotHarness


def test_console_script_starts(tmp_path: Path) -> None:
    """The one real subprocess: the installed entry point imports and runs (every other CLI test calls
    main() in-process, which skips the interpreter start and aiogram's import each time)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("ZORGROUTE_", "TELEGRAM_"))
    }
    environment["ZORGROUTE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    script = Path(sys.executable).with_name("zorgroute")
    result = subprocess.run(
        [
            str(script) if script.exists() else sys.executable,
            *([] if script.exists() else ["-m", "bot.cli"]),
            "--now",
            "2026-11-23T09:00:00+01:00",
            "member",
            "list",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


async def test_school_invite_member_list_end_to_end(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    added = await zorgroute(
        "school", "add", "De Regenboog", "--kind", "po", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert added.returncode == 0, added.stderr
    school_id = int(added.stdout.strip())

    created = await zorgroute(
        "invite",
        "create",
        "--school",
        str(school_id),
        "--role",
        "ib",
        "--role",
        "directie",
        "--name",
        "Ineke de Vries",
        database_url=database_url,
        cwd=tmp_path,
        clock=clock,
    )
    assert created.returncode == 0, created.stderr
    code, link = created.stdout.split()
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)
    assert link == f"https://t.me/zorgroute_bot?start={code}"

    async with BotHarness(settings, clock=clock) as h:
        await h.send(4242, f"/start {code}")
        assert h.last(4242).startswith("Welkom bij Zorgroute, Ineke de Vries!")

    listed = await zorgroute("member", "list", "--json", database_url=database_url, cwd=tmp_path, clock=clock)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {
            "id": 1,
            "name": "Ineke de Vries",
            "language": "nl",
            "schools": [{"school_id": school_id, "school": "De Regenboog", "roles": ["ib", "directie"]}],
        }
    ]
    assert "4242" not in listed.stdout  # never the Telegram id

    other = await zorgroute(
        "member", "list", "--school", "999", "--json", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert json.loads(other.stdout) == []


async def test_db_upgrade(empty_database_url: str, tmp_path: Path, clock: FrozenClock) -> None:
    result = await zorgroute("db", "upgrade", database_url=empty_database_url, cwd=tmp_path, clock=clock)
    assert result.returncode == 0, result.stderr
    again = await zorgroute("db", "upgrade", database_url=empty_database_url, cwd=tmp_path, clock=clock)
    assert again.returncode == 0, again.stderr
    tables = await zorgroute(
        "member", "list", "--json", database_url=empty_database_url, cwd=tmp_path, clock=clock
    )
    assert tables.returncode == 0 and json.loads(tables.stdout) == []  # the schema is there


async def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path: Path, clock: FrozenClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    result = await zorgroute(
        "member", "list", database_url=url, cwd=tmp_path, clock=clock, ZORGROUTE_LOCALE="fr"
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "ZORGROUTE_LOCALE" in result.stderr
    assert result.stdout == ""


async def test_invite_errors_are_one_line(database_url: str, tmp_path: Path, clock: FrozenClock) -> None:
    result = await zorgroute(
        "invite",
        "create",
        "--school",
        "12",
        "--role",
        "ib",
        database_url=database_url,
        cwd=tmp_path,
        clock=clock,
    )
    assert result.returncode == 1
    assert result.stderr == "zorgroute: error: no school with id 12\n"


async def test_unknown_role_is_refused(tmp_path: Path, clock: FrozenClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    result = await zorgroute(
        "invite", "create", "--school", "1", "--role", "juf", database_url=url, cwd=tmp_path, clock=clock
    )
    assert result.returncode != 0 and "juf" in result.stderr


async def test_webhook_mode_needs_a_secret(tmp_path: Path, clock: FrozenClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    result = await zorgroute(
        "run",
        "--webhook",
        database_url=url,
        cwd=tmp_path,
        clock=clock,
        TELEGRAM_BOT_TOKEN="123456:" + "A" * 35,
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith("ZORGROUTE_WEBHOOK_SECRET must be set to run with --webhook")


# What `member list` must not load: none of it serves listing members, and each costs a command's start
# (aiogram's types seconds, the holidays package 150 ms, the route files and their schema models 100 ms).
NOT_FOR_MEMBER_LIST = (
    "aiogram",
    "holidays",
    "matplotlib",
    "deduce",
    "alembic",  # the database is current: one query says so (storage.migrate.ensure_current)
    "emulator",
    "flows.report",
    "flows.calendar",
    "flows.registry",
    "storage.repositories.report",
    "sqlalchemy.dialects.postgresql",  # on SQLite; a PostgreSQL database loads its own dialect, rightly
)


def _loaded(code: str, watched: tuple[str, ...], environment: dict[str, str], cwd: Path) -> list[str]:
    """Run `code` in a fresh interpreter; the modules of `watched` (or their submodules) it left in
    sys.modules."""
    probe = (
        "import sys\n"
        f"{code}\n"
        f"watched = {watched!r}\n"
        "loaded = sorted(m for m in sys.modules if any(m == w or m.startswith(w + '.') for w in watched))\n"
        "print('LOADED', *loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, env=environment, timeout=60
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED"))
    return line.split()[1:]


def _environment(**extra: str) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("ZORGROUTE_", "TELEGRAM_"))
    }
    environment.update(extra)
    return environment


def test_commands_that_do_not_talk_to_telegram_skip_aiogram(database_url: str, tmp_path: Path) -> None:
    """aiogram's types take seconds to import; `member list` and the like never need them, nor the
    libraries of the other commands (the report's calendars, the routekaart, the name guard)."""
    environment = _environment(ZORGROUTE_DATABASE_URL=database_url, ZORGROUTE_SECRET_KEY="test-secret-key")
    code = "from bot.cli import main\nassert main(['member', 'list', '--json']) == 0"
    loaded = _loaded(code, NOT_FOR_MEMBER_LIST, environment, tmp_path)
    if database_url.startswith("postgresql"):
        loaded = [m for m in loaded if not m.startswith("sqlalchemy.dialects.postgresql")]
    assert loaded == []


def test_building_the_parser_imports_no_command(tmp_path: Path) -> None:
    """Every command's parser is built on every start, so registering one imports nothing it runs on: no
    database, no settings model, no routes. Checked on the whole tree, so a new command's module-level
    import of its implementation fails here rather than slowing every other command down."""
    heavy = ("sqlalchemy", "pydantic", "pydantic_settings", "aiogram", "storage", "yaml", "cryptography")
    code = "from bot.cli import build_parser\nbuild_parser()"
    assert _loaded(code, heavy, _environment(), tmp_path) == []
