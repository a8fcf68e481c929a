"""A row that cannot be sent goes dead after its attempts, the admins are told (no content), and
`zorgroute outbox list --failed --json` / `outbox retry ID` show it and send it again."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.channels.errors import InvalidRecipientError, RetryableError
from bot.outbox.senders import Delivery
from flows.clock import FrozenClock
from storage.models import MemberRole
from storage.uow import UnitOfWork
from tests.cli import zorgroute
from tests.notifications.support import build_world, drain_until_done


class Recording:
    def __init__(self, fail: dict[str, Exception]) -> None:
        self.fail, self.sent = fail, Counter[str]()

    async def send(self, delivery: Delivery) -> str:
        ref = str(delivery.row.payload.get("case_ref") or delivery.row.kind)
        if ref in self.fail:
            raise self.fail[ref]
        self.sent[ref] += 1
        return f"id-{delivery.row.id}"


@pytest.mark.usefixtures("machine_clock_a_year_ahead")  # `outbox retry` once used the machine's clock
async def test_dead_letters_alert_admins_and_can_be_retried(
    database_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    world = await build_world(database_url, clock, 3)
    async with UnitOfWork(world.sessionmaker) as uow:
        admin = await uow.members.get(world.member_ids[2])
        assert admin is not None
        admin.roles.append(MemberRole(school_id=world.school_id, role="admin"))
        await uow.commit()
    sender = Recording({"Z-0000": InvalidRecipientError("bad"), "Z-0001": RetryableError("flaky")})
    await drain_until_done(world, world.dispatcher({"telegram": sender}, clock, max_attempts=3), clock)
    assert sender.sent == Counter({"Z-0002": 1, "dead_letter": 2})  # both dead rows were reported
    async with UnitOfWork(world.sessionmaker) as uow:
        rows = {row.key: row for row in await uow.outbox.list()}
    assert (
        rows["test:0:telegram"].attempts == 1 and rows["test:1:telegram"].attempts == 3
    )  # permanent: no retry
    alerts = [row for row in rows.values() if row.kind == "dead_letter"]
    assert {a.payload["error"] for a in alerts} == {"InvalidRecipientError", "RetryableError"}
    assert all(set(a.payload) == {"row_id", "channel", "error"} for a in alerts)

    listed = await zorgroute(
        "outbox", "list", "--failed", "--json", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert listed.returncode == 0, listed.stderr
    failed = json.loads(listed.stdout)
    assert {r["id"] for r in failed} == {rows["test:0:telegram"].id, rows["test:1:telegram"].id}
    assert "payload" not in failed[0] and "Z-0000" not in listed.stdout
    retried = await zorgroute(
        "outbox",
        "retry",
        str(rows["test:1:telegram"].id),
        database_url=database_url,
        cwd=tmp_path,
        clock=clock,
    )
    assert retried.returncode == 0, retried.stderr
    missing = await zorgroute(
        "outbox", "retry", "99999", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert missing.returncode == 1 and "no unsent outbox row" in missing.stderr

    sender.fail.pop("Z-0001")
    await world.dispatcher({"telegram": sender}, clock).drain()
    assert sender.sent["Z-0001"] == 1
    await world.close()
