"""Typed access to Bot API parameters, whichever way the client encoded them.

JSON bodies carry typed values; multipart and urlencoded bodies carry strings, with nested objects
(reply_markup, scope, commands) as JSON text and numbers as their JSON spelling (aiogram's way).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.errors import bad_request


@dataclass(frozen=True)
class FilePart:
    """A file sent in a multipart body."""

    filename: str
    content_type: str | None
    data: bytes


class Params:
    def __init__(self, values: Mapping[str, Any], files: Mapping[str, FilePart] | None = None) -> None:
        self._values = dict(values)
        self._files = dict(files or {})

    def has(self, name: str) -> bool:
        return self._values.get(name) not in (None, "") or name in self._files

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self._values.get(name)
        return default if value is None else str(value)

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name}") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def obj(self, name: str) -> Any:
        value = self._values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_ref(self, name: str = "chat_id") -> int | str:
        """An id, or an @username as Telegram also allows."""
        value = self._values.get(name)
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        return self.required_integer(name)

    def file(self, name: str) -> FilePart | str | None:
        """The uploaded part (directly or via attach://), or a file_id / URL string."""
        if name in self._files:
            return self._files[name]
        value = self.text(name)
        if value is not None and value.startswith("attach://"):
            part = self._files.get(value.removeprefix("attach://"))
            if part is None:
                raise bad_request(f"{name} refers to a missing attachment")
            return part
        return value
