from __future__ import annotations

import stat
from pathlib import Path

from bot.services.secret import load_secret_key


def test_configured_key_wins(tmp_path: Path) -> None:
    assert load_secret_key("abc", tmp_path / "data") == b"abc"
    assert not (tmp_path / "data").exists()


def test_generated_once_with_private_permissions(tmp_path: Path) -> None:
    first = load_secret_key(None, tmp_path / "data")
    again = load_secret_key(None, tmp_path / "data")
    assert first == again and len(first) >= 32
    mode = (tmp_path / "data" / "secret.key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
