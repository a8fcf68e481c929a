"""Fixtures for the channel adapters: real servers on loopback, never mocks of our own code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.smtp import RecordingHandler, SmtpServer, running_smtp_server


@pytest.fixture
def smtp_handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp_server(smtp_handler: RecordingHandler) -> Iterator[SmtpServer]:
    with running_smtp_server(smtp_handler) as server:
        yield server
