"""Every way the Graph API can fail, and what the outbox dispatcher is told about it."""

from __future__ import annotations

import pytest

from bot.channels.errors import RetryableError
from bot.channels.whatsapp import WhatsAppClient
from tests.channels.whatsapp_setup import whatsapp_settings
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.graph_faults import Fault, FaultPlan

pytestmark = pytest.mark.asyncio

UPDATE = ["Z-0042", "OBS De Linde", "AB gr5", "intake afgerond"]
# Short enough to keep HANG cheap, long enough for loopback on a busy CI machine.
CLIENT_TIMEOUT = 1.0


async def send_once(api: FakeGraphApi) -> str:
    async with WhatsAppClient(whatsapp_settings(api, timeout=CLIENT_TIMEOUT)) as client:
        return await client.send_template("+31612345678", "zorgroute_update", "nl", UPDATE)


@pytest.mark.parametrize(
    ("fault", "retry_after", "maybe_delivered"),
    [
        (Fault.RATE_LIMIT, 7.0, False),
        (Fault.PAIR_RATE, None, False),
        (Fault.SERVER_ERROR, None, True),
        (Fault.HANG, None, True),
        (Fault.DROP, None, True),
    ],
    ids=lambda v: v.value if isinstance(v, Fault) else repr(v),
)
async def test_fault_is_retryable_with_the_right_hints(
    fault: Fault, retry_after: float | None, maybe_delivered: bool
) -> None:
    async with FakeGraphApi(faults=FaultPlan.scripted(fault)) as api:
        with pytest.raises(RetryableError) as caught:
            await send_once(api)
        assert caught.value.retry_after == retry_after
        assert caught.value.maybe_delivered is maybe_delivered
        # The plan is spent: the retry the dispatcher would make now goes through.
        assert (await send_once(api)).startswith("wamid.")
        assert [r.outcome for r in api.requests] == [fault.value, "accepted"]


async def test_nobody_listening_is_retryable_and_certainly_not_delivered() -> None:
    async with FakeGraphApi() as api:
        pass  # closed again: its port now refuses connections
    with pytest.raises(RetryableError) as caught:
        await send_once(api)
    assert caught.value.maybe_delivered is False


async def outcomes(seed: int, messages: int) -> tuple[list[str], int]:
    """Send ``messages`` notifications, retrying each like a dispatcher would, under chaos."""
    plan = FaultPlan.seeded(seed, rate_limit=0.15, server_error=0.1, hang=0.05, drop=0.1)
    seen: list[str] = []
    async with FakeGraphApi(faults=plan) as api:
        client = WhatsAppClient(whatsapp_settings(api, timeout=CLIENT_TIMEOUT))
        async with client:
            for _ in range(messages):
                for _attempt in range(10):
                    try:
                        await client.send_template("+31612345678", "zorgroute_update", "nl", UPDATE)
                    except RetryableError:  # anything else fails the test: faults must retry
                        seen.append("retry")
                    else:
                        seen.append("sent")
                        break
        return seen, len(api.accepted)


async def test_seeded_chaos_is_reproducible_and_everything_gets_through() -> None:
    first, accepted = await outcomes(seed=20250303, messages=25)
    again, _ = await outcomes(seed=20250303, messages=25)

    assert first == again
    assert accepted == first.count("sent") == 25
    assert "retry" in first  # the seed does inject faults
