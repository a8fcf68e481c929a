"""Dialogue state rows (aiogram's FSM, see bot/fsm.py): read and written through the session given.

An update asks for its state several times (the FSM middleware, a filter, the handler, CaseService), so
what this unit of work has read or written is remembered: one SELECT per update, and no write when
nothing changed. Safe because one chat's updates run one after another (ChatLanes) and a row is only
written inside its chat's update; the cache dies with the unit of work (and on rollback).

Writes wait for the commit (`flush`, called by UnitOfWork.commit): a handler sets the state and then its
data, or moves the state and then ends it, and the database gets one statement for the end result
instead of one per step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.inserts import insert_new, table
from storage.models import FsmStateRow
from storage.quick_reads import PointReads

Entry = tuple[str | None, dict[str, Any]]
_NONE: Entry = (None, {})
# Built once, run with parameters (storage/inserts.py says why), on the table past the ORM's bulk paths.
_table = table(FsmStateRow)
_DELETE = delete(_table).where(_table.c.key == bindparam("row_key"))
_UPDATE = update(_table).where(_table.c.key == bindparam("row_key"))


class FsmStateRepository:
    def __init__(self, session: AsyncSession, quick: Callable[[], PointReads | None] = lambda: None) -> None:
        self._session = session
        self._quick = quick  # storage/quick_reads.py
        self._known: dict[str, Entry] = {}
        self._stored: dict[str, Entry] = {}  # what the database holds, where this unit of work knows it
        self._users: dict[str, int] = {}  # keys written since the last flush, with their Telegram user

    async def get(self, key: str, user_id: int | None = None) -> Entry:
        """(state, data) of `key`; (None, {}) when the user is in no dialogue. `user_id`, the Telegram user
        of the key: where it pays (PostgreSQL), the member is read in the same statement."""
        if key not in self._known:
            quick = self._quick()
            rows = await quick.fsm(key, user_id) if quick is not None else None
            if rows is None:
                query = select(FsmStateRow.state, FsmStateRow.data).where(FsmStateRow.key == key)
                rows = [row._asdict() for row in await self._session.execute(query)]
            row = rows[0] if rows else None
            self._known[key] = _NONE if row is None else (row["state"], dict(row["data"] or {}))
            self._stored[key] = self._known[key]
        state, data = self._known[key]
        return state, dict(data)

    async def put(self, key: str, user_id: int, state: str | None, data: dict[str, Any]) -> None:
        """Replace `key`'s state and data; an ended dialogue (no state, no data) leaves no row behind.
        Written at the commit."""
        if self._known.get(key) == (state, data):
            return
        self._known[key] = (state, dict(data))
        self._users[key] = user_id

    @property
    def pending(self) -> bool:
        """Whether a write waits for the commit."""
        return any(self._known[key] != self._stored.get(key) for key in self._users)

    async def flush(self) -> None:
        """Write what changed since the last flush: one statement per key at most."""
        for key, user_id in self._users.items():
            state, data = self._known[key]
            before = self._stored.get(key)
            if (state, data) == before:
                continue
            if state is None and not data:
                if before != _NONE:  # a row there, or not known: none afterwards
                    await self._session.execute(_DELETE, {"row_key": key})
            elif before is not None and before != _NONE:  # the row exists: this unit of work saw it
                await self._session.execute(_UPDATE, {"row_key": key, "state": state, "data": data})
            else:  # insert-or-update without a get-then-insert race between workers (storage/inserts.py)
                row = {"key": key, "user_id": user_id, "state": state, "data": data}
                if not await insert_new(self._session, FsmStateRow, row, key=["key"]):
                    await self._session.execute(_UPDATE, {"row_key": key, "state": state, "data": data})
            self._stored[key] = (state, dict(data))
        self._users.clear()

    async def forget_user(self, user_id: int) -> None:
        """End every dialogue of a Telegram user (offboarding)."""
        await self.flush()
        await self._session.execute(delete(FsmStateRow).where(FsmStateRow.user_id == user_id))
        self.forget_cached()

    def forget_cached(self) -> None:
        """Read from the database again, and drop what waited for the commit (after a rollback)."""
        self._known.clear()
        self._stored.clear()
        self._users.clear()
