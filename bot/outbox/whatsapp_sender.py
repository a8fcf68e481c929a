"""WhatsApp deliveries through the Cloud API. Business-initiated messages must be approved templates; the
template gets the school, the case reference, the pupil label and a short event label — never free text.
Inside the 24-hour customer-service window (the member wrote to us) the plain rendering goes as text."""

from __future__ import annotations

from bot.channels.errors import InvalidRecipientError, OutsideServiceWindowError
from bot.channels.whatsapp import WhatsAppClient, within_service_window
from bot.outbox.senders import Delivery


class WhatsAppSender:
    def __init__(self, client: WhatsAppClient, template: str) -> None:
        self.client = client
        self.template = template

    async def send(self, delivery: Delivery) -> str:
        number = delivery.prefs.whatsapp
        if number is None:
            raise InvalidRecipientError("member has no WhatsApp number")
        out = delivery.render()
        inbound = delivery.prefs.last_whatsapp_inbound_at
        if within_service_window(inbound, delivery.now):
            try:
                return await self.client.send_text(
                    number, out.text, last_inbound_at=inbound, now=delivery.now
                )
            except OutsideServiceWindowError:
                pass  # the window closed between our check and Meta's: a template always may go
        parameters = [delivery.school_name or "-", out.ref, out.pupil, out.event]
        return await self.client.send_template(
            number, self.template, delivery.member.language or "nl", parameters
        )
