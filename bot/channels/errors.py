"""Typed delivery failures: the outbox dispatcher decides on retry by type alone.

Messages never carry addresses, phone numbers or message text, because they end up in logs.
"""

from __future__ import annotations


class ChannelError(Exception):
    """A channel could not deliver a notification."""


class RetryableError(ChannelError):
    """A transient failure (timeout, dropped connection, rate limit, 5xx, SMTP 4xx).

    ``retry_after`` is the provider's own hint in seconds, when it gave one.
    ``maybe_delivered`` is True when the request may have reached the provider before the
    failure (a timeout after sending, a 5xx): a retry can then produce a duplicate, which the
    dispatcher may accept (better twice than never) or escalate.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, maybe_delivered: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.maybe_delivered = maybe_delivered


class PermanentError(ChannelError):
    """Retrying the same request cannot succeed (bad address, rejected content, 4xx, SMTP 5xx)."""


class InvalidRecipientError(PermanentError):
    """The address or phone number is malformed or refused; the profile needs fixing."""


class OutsideServiceWindowError(PermanentError):
    """WhatsApp free text outside the 24-hour window; the dispatcher should send a template."""
