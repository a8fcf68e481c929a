"""How SMTP answers and connection settings become Retryable / Permanent for the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.channels.errors import InvalidRecipientError, PermanentError, RetryableError
from bot.channels.mail import MailSender, MailSettings, build_message, smtp_options
from tests.fakes.smtp import RecordingHandler, free_port, running_smtp_server
from tests.fakes.tls import loopback_tls

SETTINGS = MailSettings(
    host="127.0.0.1",
    port=25,
    security="none",
    username=None,
    password=None,
    from_address="noreply@zorgroute.example",
    timeout=5.0,
)


def a_mail(to: str = "ib@school.example") -> EmailMessage:
    return build_message(
        to=to,
        subject="Zorgroute: nieuwe stap",
        text="Casus Z-0042",
        html="<p>Casus Z-0042</p>",
        message_id_domain="zorgroute.example",
        idempotency_key="outbox-1",
        now=datetime(2025, 3, 3, tzinfo=UTC),
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (RecordingHandler(refuse_rcpt="451 4.7.1 Greylisted, try again later"), RetryableError),
        (RecordingHandler(refuse_data="451 4.3.0 Temporary failure"), RetryableError),
        (RecordingHandler(refuse_rcpt="550 5.1.1 No such user"), InvalidRecipientError),
        (RecordingHandler(refuse_data="554 5.7.1 Message rejected"), PermanentError),
    ],
    ids=["rcpt-451", "data-451", "rcpt-550", "data-554"],
)
async def test_server_refusals_map_to_retry_or_not(
    handler: RecordingHandler, expected: type[Exception]
) -> None:
    with running_smtp_server(handler) as server:
        sender = MailSender(replace(SETTINGS, port=server.port))
        with pytest.raises(expected) as caught:
            await sender.send(a_mail())
    assert not isinstance(caught.value, RetryableError) or expected is RetryableError
    assert "ib@school.example" not in str(caught.value)  # errors end up in logs
    assert handler.received == []


@pytest.mark.asyncio
async def test_nobody_listening_is_retryable_and_certainly_not_delivered() -> None:
    sender = MailSender(replace(SETTINGS, port=free_port()))
    with pytest.raises(RetryableError) as caught:
        await sender.send(a_mail())
    assert caught.value.maybe_delivered is False


def test_malformed_address_is_refused_before_any_connection() -> None:
    for bad in ["", "no-at-sign", "a@b", "a b@school.example", "x@school.example\r\nBcc: y@z.nl"]:
        with pytest.raises(InvalidRecipientError):
            a_mail(to=bad)


@pytest.mark.asyncio
async def test_starttls_upgrades_before_sending(tmp_path: Path) -> None:
    tls = loopback_tls(tmp_path)
    with running_smtp_server(tls_context=tls.server, require_starttls=True) as server:
        settings = replace(SETTINGS, port=server.port, security="starttls")
        await MailSender(settings, tls_context=tls.client).send(a_mail())
        assert len(server.handler.received) == 1


@pytest.mark.asyncio
async def test_plain_connection_to_a_starttls_only_server_is_permanent(tmp_path: Path) -> None:
    # A configuration mistake: retrying will never help, so the dispatcher must not loop on it.
    tls = loopback_tls(tmp_path)
    with running_smtp_server(tls_context=tls.server, require_starttls=True) as server:
        sender = MailSender(replace(SETTINGS, port=server.port, security="none"))
        with pytest.raises(PermanentError):
            await sender.send(a_mail())
        assert server.handler.received == []


def test_security_setting_selects_the_tls_mode() -> None:
    assert smtp_options(SETTINGS, None)["start_tls"] is False
    assert smtp_options(SETTINGS, None)["use_tls"] is False
    starttls = smtp_options(replace(SETTINGS, security="starttls", port=587), None)
    assert (starttls["start_tls"], starttls["use_tls"]) == (True, False)
    implicit = smtp_options(replace(SETTINGS, security="tls", port=465), None)
    assert (implicit["start_tls"], implicit["use_tls"]) == (False, True)
    with_auth = smtp_options(replace(SETTINGS, username="bot", password="s3cret"), None)
    assert (with_auth["username"], with_auth["password"]) == ("bot", "s3cret")
    with pytest.raises(ValueError, match="together"):
        smtp_options(replace(SETTINGS, username="bot"), None)
