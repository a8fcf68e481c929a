"""Graph API error responses -> typed channel errors.

Meta signals throttling both with HTTP 429 and with HTTP 400 + a rate-limit ``code``, so the
code in the error JSON decides first.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.errors import (
    ChannelError,
    InvalidRecipientError,
    OutsideServiceWindowError,
    PermanentError,
    RetryableError,
)

# 4: app call limit, 80007: WABA rate limit, 130429: throughput, 131056: pair rate
# (one business number messaging one user too often).
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
# 131047: re-engagement required, i.e. the 24-hour customer-service window has closed.
REENGAGEMENT_CODE = 131047
# 131026: undeliverable (not on WhatsApp, old app), 131030: not in the test allow-list.
RECIPIENT_CODES = frozenset({131026, 131030})

_MAX_DETAIL = 160


def graph_error(status: int, body: object, retry_after: str | None) -> ChannelError:
    code, detail = _code_and_detail(body)
    label = f"WhatsApp HTTP {status}, code {code}: {detail}"
    hint = parse_retry_after(retry_after)
    if code in RATE_LIMIT_CODES or status == 429:
        # Throttled requests are rejected before processing: nothing went out.
        return RetryableError(label, retry_after=hint, maybe_delivered=False)
    if status >= 500:
        return RetryableError(label, retry_after=hint, maybe_delivered=True)
    if code == REENGAGEMENT_CODE:
        return OutsideServiceWindowError(label)
    if code in RECIPIENT_CODES:
        return InvalidRecipientError(label)
    return PermanentError(label)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; the HTTP-date form is ignored (Meta sends seconds)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _code_and_detail(body: object) -> tuple[int | None, str]:
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None, "no error details"
    code = error.get("code")
    message = error.get("message")
    detail = message[:_MAX_DETAIL] if isinstance(message, str) else "no message"
    return (code if isinstance(code, int) else None), detail
