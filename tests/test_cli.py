"""The admin's command line, run as the installed console script in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness


def zorgroute(*args: str, database_url: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("ZORGROUTE_", "TELEGRAM_"))
    }
    environment.update(ZORGROUTE_DATABASE_URL=database_url, ZORGROUTE_SECRET_KEY="test-secret-key", **env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


async def test_school_invite_member_list_end_to_end(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    added = zorgroute(
        "school", "add", "De Regenboog", "--kind", "po", database_url=database_url, cwd=tmp_path
    )
    assert added.returncode == 0, added.stderr
    school_id = int(added.stdout.strip())

    created = zorgroute(
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
    )
    assert created.returncode == 0, created.stderr
    code, link = created.stdout.split()
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)
    assert link == f"https://t.me/zorgroute_bot?start={code}"

    async with BotHarness(settings, clock=clock) as h:
        await h.send(4242, f"/start {code}")
        assert h.last(4242).startswith("Welkom bij Zorgroute, Ineke de Vries!")

    listed = zorgroute("member", "list", "--json", database_url=database_url, cwd=tmp_path)
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

    other = zorgroute("member", "list", "--school", "999", "--json", database_url=database_url, cwd=tmp_path)
    assert json.loads(other.stdout) == []


def test_db_upgrade(database_url: str, tmp_path: Path) -> None:
    result = zorgroute("db", "upgrade", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    again = zorgroute("db", "upgrade", database_url=database_url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    result = zorgroute("member", "list", database_url=url, cwd=tmp_path, ZORGROUTE_LOCALE="fr")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "ZORGROUTE_LOCALE" in result.stderr
    assert result.stdout == ""


def test_invite_errors_are_one_line(database_url: str, tmp_path: Path) -> None:
    result = zorgroute(
        "invite", "create", "--school", "12", "--role", "ib", database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr == "zorgroute: error: no school with id 12\n"


def test_unknown_role_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    result = zorgroute("invite", "create", "--school", "1", "--role", "juf", database_url=url, cwd=tmp_path)
    assert result.returncode != 0 and "juf" in result.stderr


def test_webhook_mode_needs_a_secret(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    result = zorgroute(
        "run", "--webhook", database_url=url, cwd=tmp_path, TELEGRAM_BOT_TOKEN="123456:" + "A" * 35
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith("ZORGROUTE_WEBHOOK_SECRET must be set to run with --webhook")


def test_commands_that_do_not_talk_to_telegram_skip_aiogram(database_url: str, tmp_path: Path) -> None:
    """aiogram's types take seconds to import; `member list` and the like never need them."""
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "code = main(['member', 'list', '--json'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'aiogram')\n"
        "print('AIOGRAM', loaded[:3])\n"
        "sys.exit(code)\n"
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("ZORGROUTE_", "TELEGRAM_"))
    }
    environment.update(ZORGROUTE_DATABASE_URL=database_url, ZORGROUTE_SECRET_KEY="test-secret-key")
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=environment,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "AIOGRAM []" in done.stdout
