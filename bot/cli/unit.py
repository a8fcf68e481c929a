from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.secret import load_data_keys
from bot.settings import Settings
from storage.crypto import FernetCipher
from storage.db import create_engine, make_sessionmaker
from storage.migrate import ensure_current
from storage.uow import UnitOfWork


def data_cipher(settings: Settings) -> FernetCipher:
    """The cipher for this installation's data key(s) (ZORGROUTE_DATA_KEY or data_dir/data.key)."""
    return FernetCipher(load_data_keys(settings.data_key, settings.data_dir))


@asynccontextmanager
async def open_sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions (sealing with the data key) on an up-to-date database, for commands that need several
    transactions (key rotation in batches)."""
    await ensure_current(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        yield make_sessionmaker(engine, data_cipher(settings))
    finally:
        await engine.dispose()


@asynccontextmanager
async def open_uow(settings: Settings) -> AsyncIterator[UnitOfWork]:
    """A unit of work on an up-to-date database (admin commands may run before the bot ever did)."""
    async with open_sessions(settings) as sessions, UnitOfWork(sessions) as uow:
        yield uow
