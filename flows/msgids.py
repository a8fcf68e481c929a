"""Message ids as a type of their own: what the domain emits for the edge to translate.

A message id used to be recognised by its shape ("engine.submitted"), so a note or a pupil label that a
member typed as "zie.verslag" was taken for one and translated (or looked up and logged as missing).
Now the type says it: a `Msg` is translated, every other string is shown as it was written.

`Msg` is a `str` subclass rather than a wrapper object: the catalogs, the route files, JSON (golden files,
outbox payloads) and `str.format` keep seeing the same plain strings, and a `Msg` costs nothing where a
string is expected. Anything derived from one (`msg + "x"`, `str(msg)`, `msg.lower()`) is a plain `str`
again, which is the safe default: derived text is not a message id.

Stored data (JSON) comes back as plain `str`; whatever stores a parameter that must be translated later
marks it (`params_to_data` / `params_from_data`), or the renderer knows from the stored shape which values
are ids (a payload's "message", a choice field's value).

`N_` marks a literal so that `make messages` extracts it into the catalogs (without the mark, an id used
nowhere else would be dropped from the catalogs as obsolete, and members would see the raw id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# The shape route files must give their message ids (checked by the loader) and the shape the edge
# warns about when a catalog lacks one. Only a shape check: whether a string *is* an id is its type.
MSGID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")

_MARK = "msgid"  # how a stored parameter says it is a message id: {"msgid": "engine.submitted"}


class Msg(str):
    """A message id, to be translated at the edge. Compares, hashes, serialises and reprs as its
    string, so messages and files that quote one do not change."""

    __slots__ = ()


def N_(msgid: str) -> Msg:
    return Msg(msgid)


def msg_or_none(value: str | None) -> Msg | None:
    return None if value is None else Msg(value)


def params_to_data(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as JSON-safe data that keep which of them are message ids."""
    return {k: {_MARK: str(v)} if isinstance(v, Msg) else v for k, v in params.items()}


def params_from_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `params_to_data`: marked values become `Msg` again, the rest stays as stored."""
    return {k: _from_data(v) for k, v in data.items()}


def _from_data(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {_MARK} and isinstance(value[_MARK], str):
        return Msg(value[_MARK])
    return value
