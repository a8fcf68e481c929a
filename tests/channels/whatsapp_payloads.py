"""Webhook notifications in the shape Meta sends them (values made up)."""

from __future__ import annotations

from typing import Any

WABA_ID = "102290129340398"


def notification(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }


METADATA = {"display_phone_number": "31850000000", "phone_number_id": "106540352242922"}

STATUSES = notification(
    {
        "messaging_product": "whatsapp",
        "metadata": METADATA,
        "statuses": [
            {
                "id": "wamid.AAA",
                "status": "delivered",
                "timestamp": "1741000000",
                "recipient_id": "31612345678",
            },
            {
                "id": "wamid.BBB",
                "status": "failed",
                "timestamp": "1741000060",
                "recipient_id": "31687654321",
                "errors": [{"code": 131047, "title": "Re-engagement message"}],
            },
            {"id": "wamid.CCC", "status": "deleted", "timestamp": "1741000120"},
            {"status": "read"},  # malformed: skipped, the rest of the batch still counts
        ],
    }
)

INBOUND = notification(
    {
        "messaging_product": "whatsapp",
        "metadata": METADATA,
        "contacts": [{"profile": {"name": "Anna de Vries"}, "wa_id": "31612345678"}],
        "messages": [
            {
                "from": "31612345678",
                "id": "wamid.IN1",
                "timestamp": "1741003600",
                "type": "text",
                "text": {"body": "Vertrouwelijke inhoud die we niet opslaan"},
            }
        ],
    }
)
