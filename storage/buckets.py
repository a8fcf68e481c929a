"""Token buckets every worker shares, in PostgreSQL: the per-user abuse limit and Telegram's send budget
hold for the whole bot, whatever the number of workers. One autocommit statement per take (no
transaction held while waiting); the bucket's row lock lines concurrent takes up. SQLite runs one worker,
whose in-process buckets already are the whole bot's, so this is for PostgreSQL only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.claims import give_back_token, take_token


class SharedBuckets:
    def __init__(self, engine: AsyncEngine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("shared buckets need PostgreSQL; one SQLite worker keeps its own")
        self.engine = engine

    async def take(self, key: str, capacity: float, per_second: float) -> float:
        """Take a token from bucket `key` (created full): 0.0 when taken, else seconds until one is."""
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return await take_token(autocommit, key, capacity, per_second)

    async def give_back(self, key: str, capacity: float) -> None:
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await give_back_token(autocommit, key, capacity)


def shared_buckets(engine: AsyncEngine) -> SharedBuckets | None:
    """Shared buckets when the database is shared (PostgreSQL), else None: in-process limits."""
    return SharedBuckets(engine) if engine.dialect.name == "postgresql" else None
