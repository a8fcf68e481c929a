"""Server-side keys kept in files under the data directory when they are not configured: the secret key
(for HMACs that must not be reversible to a Telegram id) and the data key (encryption at rest)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from storage.crypto import new_key, parse_keys

log = logging.getLogger(__name__)


def load_or_create(path: Path, make: Callable[[], bytes]) -> tuple[bytes, bool]:
    """The file's content; created once with mode 0600 from `make()` when missing. (content, created)."""
    if path.exists():
        return path.read_bytes().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (the CLI, a second bot) made it just now
        return path.read_bytes().strip(), False
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value, True


def load_secret_key(configured: str | None, data_dir: Path) -> bytes:
    """ZORGROUTE_SECRET_KEY when set; else `data_dir/secret.key`, created once with mode 0600."""
    if configured:
        return configured.encode()
    return load_or_create(data_dir / "secret.key", lambda: secrets.token_urlsafe(48).encode())[0]


def load_data_keys(configured: str | None, data_dir: Path) -> list[bytes]:
    """ZORGROUTE_DATA_KEY (Fernet keys, comma-separated, newest first) when set; else `data_dir/data.key`,
    generated once (0600). The local file suits a laptop or a demo: on a server, keep the key out of the
    data directory, because a backup that holds both the database and its key protects nothing."""
    if configured:
        return parse_keys(configured)
    key, created = load_or_create(local_data_key(data_dir), new_key)
    log.debug("data key %s at %s", "generated" if created else "read", local_data_key(data_dir))
    return parse_keys(key.decode())


def local_data_key(data_dir: Path) -> Path:
    return data_dir / "data.key"


def announce_data_key(configured: str | None, data_dir: Path) -> None:
    """Say where the data key lives when it is the local file (`zorgroute run` calls this at start)."""
    if not configured:
        log.warning(
            "no ZORGROUTE_DATA_KEY: case content and names are sealed with the local key %s — "
            "keep it apart from database backups, or set ZORGROUTE_DATA_KEY",
            local_data_key(data_dir).resolve(),
        )
