"""Unguessable video-meeting links that reveal nothing about the pupil or school."""

from __future__ import annotations

import base64
import secrets
from typing import Protocol
from urllib.parse import urlsplit

# 20 random bytes = 160 bits: far beyond guessing, even for a public Jitsi server.
_ROOM_BYTES = 20
ROOM_PREFIX = "zorgroute-"


class RandomBytes(Protocol):
    """What we need from ``secrets``; tests pass a fixed source to pin the output."""

    def token_bytes(self, nbytes: int | None = ..., /) -> bytes: ...


def meeting_link(base_url: str = "https://meet.jit.si/", *, rng: RandomBytes = secrets) -> str:
    """A fresh meeting URL such as ``https://meet.jit.si/zorgroute-<32 base32 chars>``.

    The room name is lowercase base32 because Jitsi folds room names to lower case: a
    mixed-case alphabet would silently lose entropy there. Nothing from the case goes in it.
    """
    _check_base_url(base_url)
    raw = rng.token_bytes(_ROOM_BYTES)
    if len(raw) < _ROOM_BYTES:
        raise ValueError("random source returned too few bytes")
    room = base64.b32encode(raw[:_ROOM_BYTES]).decode("ascii").rstrip("=").lower()
    return f"{base_url}{ROOM_PREFIX}{room}"


def _check_base_url(base_url: str) -> None:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("meeting base_url must be an absolute http(s) URL")
    if not base_url.endswith("/") or parts.query or parts.fragment:
        raise ValueError("meeting base_url must end with '/' and carry no query or fragment")
