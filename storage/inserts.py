"""Inserting a row only when its key is new, in one statement: `INSERT … ON CONFLICT DO NOTHING`.

A get-then-insert races: two updates both see "absent", the second insert fails the unique key and its
whole update is rolled back. SQLite and PostgreSQL both understand ON CONFLICT DO NOTHING; SQLAlchemy
spells it per dialect, so this is (beside storage/claims.py) the one place that picks a dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


async def insert_new(
    session: AsyncSession, model: Any, values: dict[str, Any], *, key: Sequence[str]
) -> bool:
    """Insert `values` (by column name) into `model`'s table unless a row with the same `key` columns exists
    (or is being inserted by a concurrent transaction: PostgreSQL waits for it). True when this call
    inserted it."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = _statement(model.__table__, dialect, tuple(key))
    result = await session.execute(statement, values)
    return bool(getattr(result, "rowcount", 0))


def table(model: Any) -> Table:
    """A mapped class's table, for statements that go past the ORM's bulk paths (see below)."""
    return cast(Table, model.__table__)


# One statement per table, dialect and key, the values passed as parameters: a statement built with its
# values each time cost SQLAlchemy twice the execution itself (a cache key over the values, then a
# lookup), 0.39 against 0.19 ms for an INSERT on SQLite. On the table, not the mapped class: the ORM's
# bulk-insert path would add its own 0.15 ms.
_STATEMENTS: dict[tuple[Any, str, tuple[str, ...]], Any] = {}


def _statement(table: Any, dialect: str, key: tuple[str, ...]) -> postgresql.Insert | sqlite.Insert:
    statement = _STATEMENTS.get((table, dialect, key))
    if statement is None:
        # Imported here: the engine has loaded its own dialect already, and importing both at the top would
        # load PostgreSQL's (about 45 ms) into every SQLite process, `zorgroute member list` among them.
        if dialect == "postgresql":
            from sqlalchemy.dialects import postgresql

            statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(key))
        else:
            from sqlalchemy.dialects import sqlite

            statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(key))
        _STATEMENTS[(table, dialect, key)] = statement
    return statement
