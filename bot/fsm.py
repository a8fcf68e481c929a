"""Dialogue state: aiogram's FSM (FSMContext, StatesGroup, StateFilter) over our own database, so a state
survives a restart and every worker sees the same one. The states themselves live in bot/states.py.

Transactions: state is written through the update's own unit of work, not in transactions of its own
(as aiogram's Redis storage does). A state change then commits or rolls back with what it describes: a
/vot plan that fails leaves no step behind, a form whose case was not saved leaves no open form, and on
SQLite (one writer) a state write never waits for the lock its own update already holds. For that the
FSM middleware runs inside the unit of work and after the chat lanes (bot/app.py), so `raw_state` is
also read after the chat's previous update committed. Outside an update (the CLI, tests) each call is a
short unit of work of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.uow import UnitOfWork

# The unit of work of the update being handled in this task (set by UnitOfWorkMiddleware).
_UPDATE_UOW: ContextVar[UnitOfWork | None] = ContextVar("zorgroute_update_uow", default=None)


@contextmanager
def update_unit_of_work(uow: UnitOfWork) -> Iterator[None]:
    """Within this block, dialogue state is read and written through `uow`."""
    token = _UPDATE_UOW.set(uow)
    try:
        yield
    finally:
        _UPDATE_UOW.reset(token)


class DatabaseStorage(BaseStorage):
    """aiogram's BaseStorage over the `fsm_state` table (storage/repositories/fsm_states.py).

    One database serves one bot, so the key leaves the bot id out: fsm:<chat>:<user>:<destiny>."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._keys = DefaultKeyBuilder(with_destiny=True, with_business_connection_id=True)

    @asynccontextmanager
    async def _uow(self) -> AsyncIterator[UnitOfWork]:
        bound = _UPDATE_UOW.get()
        if bound is not None:
            yield bound  # the update's unit of work commits (or rolls back) the state with the rest
            return
        async with UnitOfWork(self._sessionmaker) as uow:
            yield uow
            await uow.commit()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        async with self._uow() as uow:
            _, data = await uow.fsm.get(self._keys.build(key), key.user_id)
            await uow.fsm.put(self._keys.build(key), key.user_id, name, data)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._uow() as uow:
            state, _ = await uow.fsm.get(self._keys.build(key), key.user_id)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._uow() as uow:
            state, _ = await uow.fsm.get(self._keys.build(key), key.user_id)
            await uow.fsm.put(self._keys.build(key), key.user_id, state, dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._uow() as uow:
            _, data = await uow.fsm.get(self._keys.build(key), key.user_id)
        return data

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        async with self._uow() as uow:  # read and write in one transaction
            state, current = await uow.fsm.get(self._keys.build(key), key.user_id)
            current.update(data)
            await uow.fsm.put(self._keys.build(key), key.user_id, state, current)
        return dict(current)

    async def close(self) -> None:
        pass  # the sessionmaker's engine belongs to the Runtime, which disposes of it
