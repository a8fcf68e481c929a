"""WhatsApp through the dispatcher against the strict fake Graph API: template messages with only the
school, case reference, pupil label and event label; exactly once under 429s, 5xx, hangs and drops; and
the webhook mounted in the bot's webhook app, with good and forged signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import prepare
from bot.channels.whatsapp import WhatsAppClient
from bot.outbox.whatsapp_sender import WhatsAppSender
from bot.runner import build_webhook_app
from bot.settings import EMULATOR_TOKEN, Settings
from flows.clock import FrozenClock
from storage.models.outbox import OutboxRow
from storage.repositories.preferences import Preferences
from storage.uow import UnitOfWork
from tests.channels.whatsapp_setup import APP_SECRET, whatsapp_settings
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.graph_faults import FaultPlan
from tests.notifications.support import build_world, drain_until_done

PREFS = Preferences(channels=("whatsapp",), whatsapp="+31612345678", quiet_start=None, quiet_end=None)


async def test_templates_exactly_once_under_faults(database_url: str, clock: FrozenClock) -> None:
    world = await build_world(database_url, clock, 60, channel="whatsapp", prefs=PREFS)
    faults = FaultPlan.seeded(3, rate_limit=0.05, server_error=0.05, hang=0.05, drop=0.05)
    async with FakeGraphApi(templates={"zorgroute_update": 4}, faults=faults, retry_after_seconds=1) as api:
        # A hang never answers, so the timeout only has to outlast a slow answer on a busy machine: a real
        # answer after the client gave up would be accepted twice (WhatsApp has no idempotency key).
        async with WhatsAppClient(whatsapp_settings(api, timeout=1.5)) as client:
            dispatcher = world.dispatcher({"whatsapp": WhatsAppSender(client, "zorgroute_update")}, clock)
            await drain_until_done(world, dispatcher, clock)
        accepted = api.accepted
        faulted = [r for r in api.requests if not r.outcome.startswith(("accepted", "rejected"))]
    assert faulted and not [r for r in api.requests if r.outcome.startswith("rejected")]
    # Faults strike before the fake accepts, so every case reference is accepted exactly once.
    refs = Counter(r.body["template"]["components"][0]["parameters"][1]["text"] for r in accepted)  # type: ignore[index]
    assert refs == Counter({f"Z-{i:04d}": 1 for i in range(60)})
    parameters = [p["text"] for p in accepted[0].body["template"]["components"][0]["parameters"]]  # type: ignore[index]
    assert parameters[0] == "De Regenboog" and parameters[2] == "AB 5b" and len(parameters) == 4
    assert accepted[0].body["template"]["language"] == {"code": "nl"}  # type: ignore[index]
    await world.close()


def _signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


async def test_webhook_records_statuses_and_the_service_window(
    settings: Settings, clock: FrozenClock
) -> None:
    settings = settings.model_copy(
        update={
            "webhook_secret": "hook-secret",
            "whatsapp_phone_number_id": "106540352242922",
            "whatsapp_token": "test-access-token",
            "whatsapp_app_secret": APP_SECRET,
            "whatsapp_verify_token": "verify-me",
        }
    )
    runtime = await prepare(settings, clock=clock, token=EMULATOR_TOKEN, api_base="http://127.0.0.1:9")
    world_now = clock.now()
    async with UnitOfWork(runtime.sessionmaker) as uow:
        member = await uow.members.add(telegram_user_id=1, display_name="Ineke", language="nl", now=world_now)
        await uow.prefs.save(member.id, PREFS, world_now)
        assert await uow.outbox.add(
            key="k", member_id=member.id, channel="whatsapp", kind="notify", payload={}, now=world_now
        )
        row = await uow.session.scalar(select(OutboxRow).where(OutboxRow.key == "k"))
        assert row is not None
        row.status, row.provider_id = "sent", "wamid.ABC"
        await uow.commit()
    stamp = str(int((world_now + timedelta(minutes=5)).timestamp()))
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "statuses": [
                                {
                                    "id": "wamid.ABC",
                                    "status": "read",
                                    "recipient_id": "31612345678",
                                    "timestamp": stamp,
                                }
                            ],
                            "messages": [
                                {
                                    "from": "31612345678",
                                    "timestamp": stamp,
                                    "type": "text",
                                    "text": {"body": "ok"},
                                }
                            ],
                        },
                    }
                ]
            }
        ],
    }
    body = json.dumps(payload).encode()
    async with TestClient(TestServer(build_webhook_app(runtime))) as client:
        handshake = await client.get(
            "/whatsapp/webhook",
            params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"},
        )
        assert (handshake.status, await handshake.text()) == (200, "42")
        forged = await client.post("/whatsapp/webhook", data=body, headers=_signed(body, "not-the-secret"))
        assert forged.status == 403
        async with UnitOfWork(runtime.sessionmaker) as uow:
            assert (await uow.prefs.get(member.id)).last_whatsapp_inbound_at is None  # forged: nothing stored
        good = await client.post("/whatsapp/webhook", data=body, headers=_signed(body))
        assert good.status == 200
    async with UnitOfWork(runtime.sessionmaker) as uow:
        stored = await uow.outbox.get(row.id)
        prefs = await uow.prefs.get(member.id)
    assert stored is not None and stored.delivery_status == "read"
    assert prefs.last_whatsapp_inbound_at == world_now.replace(microsecond=0) + timedelta(minutes=5)
    await runtime.close()
