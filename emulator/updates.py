"""The bot's update queue: long-poll delivery, confirmation by offset, and waiting for consumption."""

from __future__ import annotations

import asyncio
from typing import Any

from emulator.errors import ApiError

# What Telegram sends when allowed_updates is empty or was never given.
_DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Pending updates in update_id order.

    Change is signalled by swapping an asyncio.Event instead of a Condition: producers such as
    `EmulatorState.user_sends` are synchronous and cannot take a Condition's lock, while setting
    an Event is safe from plain code and still wakes every waiter without polling.
    """

    def __init__(self) -> None:
        self._pending: dict[int, dict[str, Any]] = {}
        self._next_id = 1
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._released_generation = -1
        self.allowed_updates: list[str] = []

    # -- producing -----------------------------------------------------------------
    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_id, kind: payload}
        self._pending[self._next_id] = update
        self._next_id += 1
        self._wake()
        return update

    # -- consuming -----------------------------------------------------------------
    def confirm_below(self, offset: int) -> None:
        """getUpdates semantics: every update with update_id < offset is confirmed and forgotten."""
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            keep = set(list(self._pending)[offset:])
            self._drop([i for i in self._pending if i not in keep])
        else:
            self._drop([i for i in self._pending if i < offset])

    def confirm(self, update_id: int) -> None:
        self._drop([update_id])

    def drop_all(self) -> None:
        self._drop(list(self._pending))

    def _drop(self, ids: list[int]) -> None:
        changed = False
        for update_id in ids:
            changed |= self._pending.pop(update_id, None) is not None
        if changed:
            self._wake()

    def is_consumed(self, update_id: int) -> bool:
        return update_id < self._next_id and update_id not in self._pending

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def next_pending(self) -> dict[str, Any] | None:
        self._drop_unwanted()
        return next(iter(self._pending.values()), None)

    async def fetch(self, *, limit: int, timeout: float) -> list[dict[str, Any]]:
        """Queued updates at once, or wait up to `timeout` s for one; 409 if another poll starts."""
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older long poll learns it has been superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._drop_unwanted()
            ready = list(self._pending.values())[:limit]
            remaining = deadline - loop.time()
            if ready or remaining <= 0:
                return ready
            if not await self._wait_changed(remaining):
                return []
            if generation != self._poll_generation:
                if self._released_generation == self._poll_generation:
                    return []
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    async def wait_consumed(self, update_id: int, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                while not self.is_consumed(update_id):
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(
                f"update {update_id} was not consumed within {timeout} s: "
                "is the bot polling getUpdates (or is its webhook answering 2xx)?"
            ) from None

    def release_polls(self) -> None:
        """End waiting long polls with an empty answer, e.g. because the server is stopping."""
        self._poll_generation += 1
        self._released_generation = self._poll_generation
        self._wake()

    def poke(self) -> None:
        """Wake waiters after a change outside the queue (e.g. a webhook was set)."""
        self._wake()

    async def wait_changed(self) -> None:
        await self._changed.wait()

    # -- internals -----------------------------------------------------------------
    async def _wait_changed(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _drop_unwanted(self) -> None:
        # Telegram never delivers types outside allowed_updates; they count as consumed here so
        # that wait_consumed does not hang on an update the bot said it does not want.
        unwanted = [i for i, u in self._pending.items() if not self._wanted(u)]
        self._drop(unwanted)

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _DEFAULT_EXCLUDED

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
