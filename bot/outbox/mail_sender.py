"""E-mail deliveries: the row rendered in the recipient's language as text + HTML (and, for a VOT
meeting, the .ics invitation), sent through `MailSender`. The Message-ID comes from the row's idempotency
key, so a resend after a crash carries the same id and receivers can drop the duplicate."""

from __future__ import annotations

from bot.channels.errors import InvalidRecipientError
from bot.channels.ics import Method, build_invitation
from bot.channels.mail import MailSender, build_message
from bot.outbox.senders import Delivery
from bot.render.meeting import calendar_texts, duration_of, start_of
from bot.render.outgoing import MEETING_KINDS


class EmailSender:
    def __init__(self, mail: MailSender, from_address: str, timezone: str = "Europe/Amsterdam") -> None:
        self.mail = mail
        self.from_address = from_address
        self.domain = from_address.rpartition("@")[2]
        self.timezone = timezone

    async def send(self, delivery: Delivery) -> str:
        address = delivery.prefs.email
        if address is None:
            raise InvalidRecipientError("member has no e-mail address")
        out = delivery.render()
        language = delivery.member.language or "nl"
        calendar, method = self._calendar(delivery, address)
        message = build_message(
            to=address,
            subject=out.subject,
            text=out.text + "\n\n-- \n" + delivery.t.raw("notify.mail_footer") + "\n",
            html=out.mail_html(language, delivery.t("notify.mail_footer")),
            message_id_domain=self.domain,
            idempotency_key=delivery.row.key,
            calendar=calendar,
            calendar_method=method,
            language=language,
            now=delivery.now,
        )
        return await self.mail.send(message)

    def _calendar(self, delivery: Delivery, address: str) -> tuple[bytes | None, str | None]:
        payload = delivery.row.payload
        if delivery.row.kind not in MEETING_KINDS:
            return None, None
        summary, description = calendar_texts(delivery.t, payload, delivery.school_name)
        method: Method = "CANCEL" if payload["change"] == "cancel" else "REQUEST"
        ics = build_invitation(
            uid=str(payload["uid"]),
            sequence=int(payload["sequence"]),
            method=method,
            start=start_of(payload),
            duration=duration_of(payload),
            summary=summary,
            description=description,
            location_url=str(payload["video"]),
            organizer_email=self.from_address,
            organizer_name="Zorgroute",
            # Only the recipient: colleagues' addresses are not everyone's business.
            attendees=[(address, delivery.name)],
            timezone=self.timezone,
            now=delivery.now,
        )
        return ics, method
