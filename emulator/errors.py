"""The two ways a Bot API call can fail: an answer Telegram would give, or a broken transport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


class ApiError(Exception):
    """An error answer in Telegram's shape: `{"ok": false, "error_code": N, "description": ...}`."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    # Telegram prefixes every 400 description this way; aiogram users match on the text.
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


@dataclass(frozen=True)
class TransportFault(Exception):
    """Not an answer at all: the HTTP layer must hang or cut the connection."""

    kind: Literal["hang", "drop"]
    hang_seconds: float = 0.0
