"""Demo mode: e-mail and WhatsApp deliveries rendered exactly as they would be sent, then handed to a
callable instead of a server — the emulator's page shows them in its outbox pane."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.channels.errors import InvalidRecipientError
from bot.outbox.senders import Delivery
from bot.render.outgoing import MEETING_KINDS

# (channel, to_user_id, address, subject, text, meta): EmulatorState.record_external's signature.
Recorder = Callable[[str, int | None, str, str, str, dict[str, Any]], Any]


class CaptureSender:
    def __init__(self, channel: str, record: Recorder, *, template: str = "zorgroute_update") -> None:
        if channel not in ("email", "whatsapp"):
            raise ValueError("CaptureSender captures email or whatsapp")
        self.channel, self.record, self.template = channel, record, template

    async def send(self, delivery: Delivery) -> str:
        address = delivery.prefs.email if self.channel == "email" else delivery.prefs.whatsapp
        if address is None:
            raise InvalidRecipientError(f"member has no {self.channel} address")
        out = delivery.render()
        meta: dict[str, Any] = {"kind": delivery.row.kind, "language": delivery.member.language or "nl"}
        if self.channel == "email" and delivery.row.kind in MEETING_KINDS:
            meta["attachment"] = "invite.ics"
        if self.channel == "whatsapp":
            meta["template"] = self.template
        subject = out.subject if self.channel == "email" else ""
        self.record(self.channel, delivery.member.telegram_user_id, address, subject, out.text, meta)
        return f"capture:{delivery.row.id}"
