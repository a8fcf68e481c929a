"""The webhook over real HTTP: handshake, signature check, parsed callbacks."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.whatsapp_webhook import (
    Inbound,
    StatusUpdate,
    make_webhook_handlers,
    parse_inbound,
    parse_statuses,
    verify_signature,
)
from tests.channels.whatsapp_payloads import INBOUND, STATUSES

APP_SECRET = "webhook-app-secret"
VERIFY_TOKEN = "verify-me"


def sign(body: bytes, key: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class Received:
    def __init__(self) -> None:
        self.statuses: list[StatusUpdate] = []
        self.inbound: list[Inbound] = []

    async def on_statuses(self, updates: list[StatusUpdate]) -> None:
        self.statuses.extend(updates)

    async def on_inbound(self, inbound: list[Inbound]) -> None:
        self.inbound.extend(inbound)


@pytest.fixture
def received() -> Received:
    return Received()


@pytest_asyncio.fixture
async def webhook(received: Received) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    get_handler, post_handler = make_webhook_handlers(
        APP_SECRET, VERIFY_TOKEN, received.on_statuses, received.on_inbound
    )
    app = web.Application()
    app.router.add_get("/whatsapp", get_handler)
    app.router.add_post("/whatsapp", post_handler)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


@pytest.mark.asyncio
async def test_subscription_handshake_echoes_the_challenge(
    webhook: TestClient[web.Request, web.Application],
) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158"}
    response = await webhook.get("/whatsapp", params=params)
    assert response.status == 200
    assert await response.text() == "1158"

    wrong = await webhook.get("/whatsapp", params={**params, "hub.verify_token": "guess"})
    assert wrong.status == 403


@pytest.mark.asyncio
async def test_signed_notification_is_accepted_and_parsed(
    webhook: TestClient[web.Request, web.Application], received: Received
) -> None:
    body = json.dumps(STATUSES).encode()
    response = await webhook.post("/whatsapp", data=body, headers={"X-Hub-Signature-256": sign(body)})
    assert response.status == 200
    assert [u.wamid for u in received.statuses] == ["wamid.AAA", "wamid.BBB"]
    assert received.inbound == []

    body = json.dumps(INBOUND).encode()
    response = await webhook.post("/whatsapp", data=body, headers={"X-Hub-Signature-256": sign(body)})
    assert response.status == 200
    assert received.inbound == [Inbound("31612345678", datetime.fromtimestamp(1741003600, UTC))]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": sign(b"something else")},
        {"X-Hub-Signature-256": sign(json.dumps(STATUSES).encode(), key="not-ours")},
        {"X-Hub-Signature-256": "sha256=ë"},
        {"X-Hub-Signature-256": "sha1=" + "0" * 40},
    ],
    ids=["missing", "other-body", "other-secret", "non-ascii", "wrong-scheme"],
)
async def test_unsigned_or_forged_notifications_are_refused(
    webhook: TestClient[web.Request, web.Application],
    received: Received,
    headers: dict[str, str],
) -> None:
    response = await webhook.post("/whatsapp", data=json.dumps(STATUSES).encode(), headers=headers)
    assert response.status == 403
    assert received.statuses == []


def test_signature_is_over_the_raw_bytes() -> None:
    body = b'{"object": "whatsapp_business_account"}'
    assert verify_signature(APP_SECRET, body, sign(body))
    assert verify_signature(APP_SECRET, body, sign(body).upper().replace("SHA256=", "sha256="))
    assert not verify_signature(APP_SECRET, body.replace(b": ", b":"), sign(body))
    assert not verify_signature("", body, sign(body, key=""))
    assert not verify_signature(APP_SECRET, body, None)


def test_status_parsing() -> None:
    assert [asdict(u) for u in parse_statuses(STATUSES)] == [
        {
            "wamid": "wamid.AAA",
            "status": "delivered",
            "recipient": "31612345678",
            "timestamp": datetime(2025, 3, 3, 11, 6, 40, tzinfo=UTC),
            "error_code": None,
        },
        {
            "wamid": "wamid.BBB",
            "status": "failed",
            "recipient": "31687654321",
            "timestamp": datetime(2025, 3, 3, 11, 7, 40, tzinfo=UTC),
            "error_code": 131047,
        },
    ]
    assert parse_statuses(INBOUND) == []


def test_inbound_parsing_keeps_only_who_and_when() -> None:
    [inbound] = parse_inbound(INBOUND)
    assert asdict(inbound) == {
        "wa_id": "31612345678",
        "timestamp": datetime(2025, 3, 3, 12, 6, 40, tzinfo=UTC),
    }
    assert parse_inbound(STATUSES) == []
    assert parse_inbound({"object": "page", "entry": INBOUND["entry"]}) == []
