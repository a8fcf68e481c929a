"""Sending notification e-mails over SMTP (aiosmtplib), with typed errors for the outbox."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Literal, TypedDict

import aiosmtplib

from bot.channels.errors import ChannelError, InvalidRecipientError, PermanentError, RetryableError
from bot.channels.mail_message import build_message, check_address, message_id_for

__all__ = ["MailSender", "MailSettings", "build_message", "message_id_for", "smtp_options"]

Security = Literal["none", "starttls", "tls"]


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: Security
    username: str | None
    password: str | None
    from_address: str
    from_name: str = "Zorgroute"
    timeout: float = 10.0


class SmtpOptions(TypedDict):
    hostname: str
    port: int
    use_tls: bool
    start_tls: bool
    username: str | None
    password: str | None
    timeout: float
    tls_context: ssl.SSLContext | None


def smtp_options(settings: MailSettings, tls_context: ssl.SSLContext | None) -> SmtpOptions:
    """The aiosmtplib connection options for these settings.

    ``start_tls`` is explicit both ways: "starttls" must fail rather than silently fall back
    to plain text, and "none" must not attempt an upgrade a local relay cannot complete.
    """
    if settings.security not in ("none", "starttls", "tls"):
        raise ValueError("security must be none, starttls or tls")
    if (settings.username is None) != (settings.password is None):
        raise ValueError("username and password go together")
    return SmtpOptions(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "tls",
        start_tls=settings.security == "starttls",
        username=settings.username,
        password=settings.password,
        timeout=settings.timeout,
        tls_context=tls_context,
    )


class MailSender:
    """Delivers one built message per call; one SMTP connection per send keeps it stateless."""

    def __init__(self, settings: MailSettings, *, tls_context: ssl.SSLContext | None = None) -> None:
        check_address(settings.from_address)
        self._settings = settings
        self._options = smtp_options(settings, tls_context)

    async def send(self, msg: EmailMessage) -> str:
        """Send and return the message's Message-ID (the provider id the outbox records)."""
        message_id = msg["Message-ID"]
        if not message_id:
            raise ValueError("message has no Message-ID; build it with build_message")
        if msg["From"] is None:
            local, _, domain = self._settings.from_address.rpartition("@")
            msg["From"] = Address(self._settings.from_name, local, domain)
        try:
            await aiosmtplib.send(msg, sender=self._settings.from_address, **self._options)
        except aiosmtplib.SMTPException as exc:
            raise smtp_error(exc) from exc
        except (OSError, TimeoutError) as exc:
            raise RetryableError("mail server unreachable", maybe_delivered=False) from exc
        return str(message_id)


def smtp_error(exc: aiosmtplib.SMTPException) -> ChannelError:
    """Map an aiosmtplib failure: 4xx replies and lost connections retry, 5xx replies don't."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        if codes and all(400 <= code < 500 for code in codes):
            return RetryableError(f"recipient deferred (SMTP {codes[0]})")
        return InvalidRecipientError(f"recipient refused (SMTP {codes[0] if codes else '?'})")
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        if 400 <= exc.code < 500:
            return RetryableError(f"recipient deferred (SMTP {exc.code})")
        return InvalidRecipientError(f"recipient refused (SMTP {exc.code})")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if 400 <= exc.code < 500:
            return RetryableError(f"mail server deferred (SMTP {exc.code})")
        return PermanentError(f"mail server refused (SMTP {exc.code})")
    if isinstance(exc, aiosmtplib.SMTPConnectError):
        # Includes connect timeouts: no session, so nothing can have been handed over.
        return RetryableError("mail server unreachable", maybe_delivered=False)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | aiosmtplib.SMTPServerDisconnected):
        # Mid-session, possibly after DATA was accepted; the stable Message-ID lets receivers
        # drop the duplicate a retry may create.
        return RetryableError("mail server connection lost", maybe_delivered=True)
    # SMTPNotSupported and the rest: configuration problems (e.g. no STARTTLS offered).
    return PermanentError(f"mail configuration problem ({type(exc).__name__})")
