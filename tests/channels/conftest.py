"""Fixtures for the channel adapters: real servers on loopback, never mocks of our own code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from bot.channels.whatsapp import WhatsAppClient
from tests.channels.whatsapp_setup import whatsapp_settings
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.smtp import RecordingHandler, SmtpServer, running_smtp_server


@pytest.fixture
def smtp_handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp_server(smtp_handler: RecordingHandler) -> Iterator[SmtpServer]:
    with running_smtp_server(smtp_handler) as server:
        yield server


@pytest_asyncio.fixture
async def graph_api() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi(templates={"zorgroute_update": 4}) as api:
        yield api


@pytest_asyncio.fixture
async def whatsapp(graph_api: FakeGraphApi) -> AsyncIterator[WhatsAppClient]:
    async with WhatsAppClient(whatsapp_settings(graph_api)) as client:
        yield client
