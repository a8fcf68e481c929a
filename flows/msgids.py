"""Marking message ids that the domain emits as data.

The engine never translates: it hands message ids to the edge. `N_` only marks a literal so that
`make messages` extracts it into the catalogs (without the mark, an id used nowhere else would be
dropped from the catalogs as obsolete, and members would see the raw id)."""

from __future__ import annotations


def N_(msgid: str) -> str:
    return msgid
