"""The server's secret key (for HMACs that must not be reversible to a Telegram id)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_secret_key(configured: str | None, data_dir: Path) -> bytes:
    """ZORGROUTE_SECRET_KEY when set; else `data_dir/secret.key`, created once with mode 0600."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (the CLI, a second bot) made it just now
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
