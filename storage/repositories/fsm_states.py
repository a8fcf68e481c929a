"""Dialogue state rows (aiogram's FSM, see bot/fsm.py): read and written through the session given."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.inserts import insert_new
from storage.models import FsmStateRow


class FsmStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        """(state, data) of `key`; (None, {}) when the user is in no dialogue."""
        query = select(FsmStateRow.state, FsmStateRow.data).where(FsmStateRow.key == key)
        row = (await self._session.execute(query)).one_or_none()
        return (None, {}) if row is None else (row.state, dict(row.data or {}))

    async def put(self, key: str, user_id: int, state: str | None, data: dict[str, Any]) -> None:
        """Replace `key`'s state and data; an ended dialogue (no state, no data) leaves no row behind."""
        if state is None and not data:
            await self._session.execute(delete(FsmStateRow).where(FsmStateRow.key == key))
            return
        values = {"state": state, "data": data}
        # Insert-or-update without a get-then-insert race between workers (storage/inserts.py).
        if not await insert_new(
            self._session, FsmStateRow, {"key": key, "user_id": user_id, **values}, key=["key"]
        ):
            await self._session.execute(update(FsmStateRow).where(FsmStateRow.key == key).values(**values))

    async def forget_user(self, user_id: int) -> None:
        """End every dialogue of a Telegram user (offboarding)."""
        await self._session.execute(delete(FsmStateRow).where(FsmStateRow.user_id == user_id))
