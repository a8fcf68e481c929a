"""A Babel extractor for route files: every message id a route refers to goes into messages.pot, so a
route's texts are translated like any other (`make messages` runs it through locales/babel.cfg)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from flows.loader import parse_route, route_msgids


def extract_route(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    route = parse_route(fileobj.read().decode("utf-8"), getattr(fileobj, "name", "<route>"))
    for msgid in sorted(route_msgids(route)):
        yield 0, None, msgid, []
