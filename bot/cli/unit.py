from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.settings import Settings
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.uow import UnitOfWork


@asynccontextmanager
async def open_uow(settings: Settings) -> AsyncIterator[UnitOfWork]:
    """A unit of work on an up-to-date database (admin commands may run before the bot ever did)."""
    await upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            yield uow
    finally:
        await engine.dispose()
