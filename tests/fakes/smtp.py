"""A real SMTP server (aiosmtpd) on loopback that records what it receives.

The handler can be told to answer RCPT or DATA with a refusal ("451 ...", "550 ..."), to see
how a sender reacts to a real server's codes rather than to a mocked exception.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def parsed(self) -> EmailMessage:
        """The message as a receiving client would see it, via the stdlib parser.

        SMTP carries CRLF; a mail store keeps local line endings, which the parser expects
        (otherwise quoted-printable text decodes with stray carriage returns).
        """
        local = self.data.replace(b"\r\n", b"\n")
        message = BytesParser(policy=policy.default).parsebytes(local)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class RecordingHandler:
    """aiosmtpd handler; ``refuse_rcpt`` / ``refuse_data`` hold a full SMTP reply line."""

    refuse_rcpt: str | None = None
    refuse_data: str | None = None
    received: list[ReceivedMail] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.refuse_rcpt is not None:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_data is not None:
            return self.refuse_data
        content = envelope.original_content or b""
        # The client gets "250" only after this append, so once send() returns the mail is here.
        self.received.append(ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), content))
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler


def free_port() -> int:
    # aiosmtpd's Controller connects to its own port to check readiness, so port 0 does not
    # work there; ask the OS for a free one instead.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_smtp_server(
    handler: RecordingHandler | None = None,
    *,
    tls_context: ssl.SSLContext | None = None,
    require_starttls: bool = False,
) -> Iterator[SmtpServer]:
    """Start the server in its own thread for the duration of the ``with`` block."""
    handler = handler or RecordingHandler()
    port = free_port()
    controller = Controller(
        handler,
        hostname=LOOPBACK,
        port=port,
        tls_context=tls_context,
        require_starttls=require_starttls,
    )
    controller.start()
    try:
        yield SmtpServer(LOOPBACK, port, handler)
    finally:
        controller.stop()
