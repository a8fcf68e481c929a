"""Inserting a row only when its key is new, in one statement: `INSERT … ON CONFLICT DO NOTHING`.

A get-then-insert races: two updates both see "absent", the second insert fails the unique key and its
whole update is rolled back. SQLite and PostgreSQL both understand ON CONFLICT DO NOTHING; SQLAlchemy
spells it per dialect, so this is (beside storage/claims.py) the one place that picks a dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


async def insert_new(
    session: AsyncSession, model: Any, values: dict[str, Any], *, key: Sequence[str]
) -> bool:
    """Insert `values` into `model`'s table unless a row with the same `key` columns exists (or is being
    inserted by a concurrent transaction: PostgreSQL waits for it). True when this call inserted it."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    # Imported here: the engine has loaded its own dialect already, and importing both at the top would
    # load PostgreSQL's (about 45 ms) into every SQLite process, `zorgroute member list` among them.
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(model).values(**values)
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(model).values(**values)
    result = await session.execute(statement.on_conflict_do_nothing(index_elements=list(key)))
    return bool(getattr(result, "rowcount", 0))
