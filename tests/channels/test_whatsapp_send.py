"""WhatsApp requests as the (strict) fake Graph API receives them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.errors import (
    InvalidRecipientError,
    OutsideServiceWindowError,
    PermanentError,
)
from bot.channels.whatsapp import WhatsAppClient
from tests.channels.whatsapp_setup import whatsapp_settings
from tests.fakes.graph_api import FakeGraphApi

pytestmark = pytest.mark.asyncio

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
UPDATE = ["Z-0042", "OBS De Linde", "AB gr5", "intake afgerond ë"]


async def test_template_goes_out_in_meta_shape(graph_api: FakeGraphApi, whatsapp: WhatsAppClient) -> None:
    wamid = await whatsapp.send_template("+31 6 1234 5678", "zorgroute_update", "nl", UPDATE)

    [request] = graph_api.requests
    assert request.outcome == "accepted"
    assert request.path == f"/v21.0/{graph_api.phone_number_id}/messages"
    assert request.authorization == f"Bearer {graph_api.access_token}"
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "31612345678",
        "type": "template",
        "template": {
            "name": "zorgroute_update",
            "language": {"code": "nl"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": t} for t in UPDATE]}],
        },
    }
    assert wamid.startswith("wamid.")


async def test_each_send_gets_its_own_wamid(whatsapp: WhatsAppClient) -> None:
    first = await whatsapp.send_template("0031612345678", "zorgroute_update", "en_GB", UPDATE)
    second = await whatsapp.send_template("+31612345678", "zorgroute_update", "nl", UPDATE)
    assert first != second


async def test_text_inside_the_window_is_sent(graph_api: FakeGraphApi, whatsapp: WhatsAppClient) -> None:
    text = "Casus Z-0042 (AB gr5): nieuwe stap. Open met /casus Z-0042. ë"
    wamid = await whatsapp.send_text("+31612345678", text, last_inbound_at=NOW - timedelta(hours=23), now=NOW)

    assert wamid.startswith("wamid.")
    [request] = graph_api.accepted
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "31612345678",
        "type": "text",
        "text": {"body": text, "preview_url": False},
    }


@pytest.mark.parametrize("last_inbound_at", [None, NOW - timedelta(hours=24), NOW - timedelta(days=3)])
async def test_text_outside_the_window_is_refused_before_sending(
    graph_api: FakeGraphApi, whatsapp: WhatsAppClient, last_inbound_at: datetime | None
) -> None:
    with pytest.raises(OutsideServiceWindowError, match="outside the customer-service window"):
        await whatsapp.send_text("+31612345678", "hoi", last_inbound_at=last_inbound_at, now=NOW)
    assert graph_api.requests == []


@pytest.mark.parametrize("number", ["0612345678", "+31 6 12ab", "+0612345678", "+12", ""])
async def test_malformed_numbers_never_reach_meta(
    graph_api: FakeGraphApi, whatsapp: WhatsAppClient, number: str
) -> None:
    with pytest.raises(InvalidRecipientError):
        await whatsapp.send_template(number, "zorgroute_update", "nl", UPDATE)
    assert graph_api.requests == []


@pytest.mark.parametrize(
    ("template", "language", "parameters"),
    [
        ("Zorgroute Update", "nl", UPDATE),
        ("zorgroute_update", "dutch", UPDATE),
        ("zorgroute_update", "nl", ["Z-0042", "regel 1\nregel 2", "AB gr5", "x"]),
        ("zorgroute_update", "nl", ["Z-0042", "", "AB gr5", "x"]),
    ],
    ids=["name", "language", "newline", "empty"],
)
async def test_malformed_templates_are_permanent_without_a_request(
    graph_api: FakeGraphApi,
    whatsapp: WhatsAppClient,
    template: str,
    language: str,
    parameters: list[str],
) -> None:
    with pytest.raises(PermanentError):
        await whatsapp.send_template("+31612345678", template, language, parameters)
    assert graph_api.requests == []


async def test_meta_refusals_are_permanent(graph_api: FakeGraphApi, whatsapp: WhatsAppClient) -> None:
    with pytest.raises(PermanentError, match="code 132001"):
        await whatsapp.send_template("+31612345678", "unknown_template", "nl", UPDATE)
    with pytest.raises(PermanentError, match="code 132000"):
        await whatsapp.send_template("+31612345678", "zorgroute_update", "nl", UPDATE[:2])
    assert graph_api.accepted == []


async def test_a_wrong_token_is_permanent(graph_api: FakeGraphApi) -> None:
    settings = replace(whatsapp_settings(graph_api), access_token="expired")
    async with WhatsAppClient(settings) as client:
        with pytest.raises(PermanentError, match="code 190"):
            await client.send_template("+31612345678", "zorgroute_update", "nl", UPDATE)
