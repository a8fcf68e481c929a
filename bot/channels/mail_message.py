"""Building notification e-mails: text + HTML, optionally a meeting invitation.

The Message-ID is derived from the outbox idempotency key, so a resend after a crash carries
the same Message-ID and receiving systems can drop the duplicate.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from bot.channels.errors import InvalidRecipientError

_CALENDAR_METHODS = ("REQUEST", "CANCEL")
_FORBIDDEN_IN_ADDRESS = set(' \t\r\n<>()[]\\,;:"')


def message_id_for(idempotency_key: str, domain: str) -> str:
    """``<zr.<hash>@domain>``: stable per key; hashed so the key itself (which may name a case)
    is not disclosed to every mail server on the way."""
    if not idempotency_key:
        raise ValueError("idempotency_key must not be empty")
    if not domain or any(c in _FORBIDDEN_IN_ADDRESS or c == "@" for c in domain):
        raise ValueError("message_id_domain must be a bare domain name")
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<zr.{digest}@{domain}>"


def check_address(address: str) -> None:
    """Reject what is certainly not a deliverable addr-spec, before any SMTP dialogue."""
    local, at, domain = address.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or domain.startswith(".")
        or domain.endswith(".")
        or any(c in _FORBIDDEN_IN_ADDRESS for c in address)
    ):
        raise InvalidRecipientError("invalid e-mail address")


def build_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id_domain: str,
    idempotency_key: str,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    language: str = "nl",
    now: datetime | None = None,
) -> EmailMessage:
    """One notification mail. ``From`` is added by ``MailSender``, which owns that identity.

    With ``calendar`` the structure is the one Outlook and Gmail recognise as an invitation:
    multipart/mixed[ multipart/alternative[text, html, text/calendar; method=...],
    invite.ics attachment ].
    ``now`` sets the Date header (pass the injected clock's time); without it the header is
    left to the submission server.
    """
    check_address(to)
    msg = EmailMessage()
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id_for(idempotency_key, message_id_domain)
    if now is not None:
        msg["Date"] = format_datetime(now)
    # Notifications are machine-sent: keep out-of-office robots from answering them (RFC 3834,
    # and the Exchange-specific header).
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if calendar is not None:
        _attach_calendar(msg, calendar, calendar_method)
    elif calendar_method is not None:
        raise ValueError("calendar_method given without calendar")
    # Set last: turning the message multipart moves every Content-* header into the first
    # subpart, and the language belongs to the whole message.
    msg["Content-Language"] = language
    return msg


def _attach_calendar(msg: EmailMessage, calendar: bytes, method: str | None) -> None:
    if method not in _CALENDAR_METHODS:
        raise ValueError("calendar_method must be REQUEST or CANCEL with a calendar")
    # The MIME method must match the METHOD inside the file, or clients ignore the invite.
    if f"METHOD:{method}".encode() not in calendar:
        raise ValueError("calendar_method does not match the METHOD in the calendar")
    msg.add_alternative(calendar.decode("utf-8"), subtype="calendar", params={"method": method})
    msg.add_attachment(
        calendar,
        maintype="application",
        subtype="ics",
        filename="invite.ics",
        params={"name": "invite.ics"},  # older clients look for the name here
    )
