"""Pure rules: the customer-service window, phone numbers and Graph error codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.errors import (
    InvalidRecipientError,
    OutsideServiceWindowError,
    PermanentError,
    RetryableError,
)
from bot.channels.phone import normalize_phone
from bot.channels.whatsapp import WhatsAppSettings, within_service_window
from bot.channels.whatsapp_errors import graph_error

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_inbound_at", "open_"),
    [
        (None, False),
        (NOW, True),
        (NOW - timedelta(hours=23, minutes=59, seconds=59), True),
        (NOW - timedelta(hours=24), False),
        (NOW - timedelta(days=2), False),
    ],
)
def test_service_window(last_inbound_at: datetime | None, open_: bool) -> None:
    assert within_service_window(last_inbound_at, NOW) is open_


def test_service_window_needs_aware_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        within_service_window(datetime(2025, 3, 3, 8), NOW)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("+31 6 1234 5678", "31612345678"),
        ("0031-6-12345678", "31612345678"),
        ("+32 (470) 12.34.56", "32470123456"),
    ],
)
def test_phone_numbers_become_e164_digits(raw: str, digits: str) -> None:
    assert normalize_phone(raw) == digits


@pytest.mark.parametrize("raw", ["06 12345678", "+31 6 1234 567x", "+316", "+0031612345678"])
def test_phone_numbers_that_are_refused(raw: str) -> None:
    with pytest.raises(InvalidRecipientError):
        normalize_phone(raw)


def error_body(code: int) -> dict[str, object]:
    return {"error": {"message": f"(#{code}) something", "type": "OAuthException", "code": code}}


@pytest.mark.parametrize("code", [4, 80007, 130429, 131056])
def test_rate_limit_codes_retry_even_on_http_400(code: int) -> None:
    error = graph_error(400, error_body(code), "12")
    assert isinstance(error, RetryableError)
    assert error.retry_after == 12.0


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (429, None, RetryableError),
        (503, "<html>bad gateway</html>", RetryableError),
        (400, error_body(131047), OutsideServiceWindowError),
        (400, error_body(131026), InvalidRecipientError),
        (400, error_body(100), PermanentError),
        (403, error_body(10), PermanentError),
    ],
)
def test_other_graph_errors(status: int, body: object, expected: type[Exception]) -> None:
    assert type(graph_error(status, body, None)) is expected


def test_retry_after_only_in_seconds() -> None:
    error = graph_error(429, None, "Wed, 21 Oct 2015 07:28:00 GMT")
    assert isinstance(error, RetryableError)
    assert error.retry_after is None


def test_settings_do_not_show_secrets() -> None:
    settings = WhatsAppSettings(phone_number_id="1", access_token="tok-123", app_secret="sec-456")
    assert "tok-123" not in repr(settings)
    assert "sec-456" not in repr(settings)
