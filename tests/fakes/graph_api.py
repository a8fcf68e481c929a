"""A fake WhatsApp Business Cloud API (Graph API) on loopback, answering like Meta does.

It checks every request strictly (bearer token, JSON shape, phone format, known templates),
records what it received, and can inject faults from a ``FaultPlan``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from aiohttp import web

from tests.fakes.graph_faults import Fault, FaultPlan
from tests.fakes.graph_schema import check_message

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    authorization: str | None
    body: object
    outcome: str  # "accepted", "rejected: <reason>", or the Fault's value


class FakeGraphApi:
    def __init__(
        self,
        *,
        phone_number_id: str = "106540352242922",
        access_token: str = "test-access-token",
        version: str = "v21.0",
        faults: FaultPlan | None = None,
        templates: Mapping[str, int] | None = None,
        retry_after_seconds: int = 7,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.access_token = access_token
        self.version = version
        self.faults = faults or FaultPlan.none()
        self.templates = templates  # name -> number of body parameters; None accepts any
        self.retry_after_seconds = retry_after_seconds
        self.requests: list[RecordedRequest] = []
        self._accepted = 0
        self._release_hung = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self._port}/{self.version}"

    @property
    def accepted(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.outcome == "accepted"]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{version}/{phone_number_id}/messages", self._messages)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self._release_hung.set()  # let hung handlers finish so shutdown does not wait on them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        try:
            body: object = await request.json()
        except ValueError:
            body = None
        auth = request.headers.get("Authorization")

        def record(outcome: str) -> None:
            self.requests.append(RecordedRequest(request.path, auth, body, outcome))

        fault = self.faults.next()
        if fault is not None:
            record(fault.value)
            return await self._fault(fault, request)
        if request.match_info["version"] != self.version:
            record("rejected: unknown version")
            return _graph_error(400, 2500, "Unknown path components")
        if request.match_info["phone_number_id"] != self.phone_number_id:
            record("rejected: unknown phone number id")
            return _graph_error(400, 100, "Unsupported post request: unknown object id")
        if auth != f"Bearer {self.access_token}":
            record("rejected: bad token")
            return _graph_error(401, 190, "Invalid OAuth access token", kind="OAuthException")
        if request.content_type != "application/json":
            record("rejected: not json")
            return _graph_error(400, 100, "Content-Type must be application/json")
        problem = check_message(body, self.templates)
        if problem is not None:
            code, reason = problem
            record(f"rejected: {reason}")
            return _graph_error(400, code, reason)
        record("accepted")
        return web.json_response(self._accepted_reply(body))

    def _accepted_reply(self, body: object) -> dict[str, object]:
        assert isinstance(body, dict)
        self._accepted += 1
        raw_id = f"fake-{self.phone_number_id}-{self._accepted:06d}".encode()
        message: dict[str, str] = {"id": "wamid." + base64.b64encode(raw_id).decode()}
        if body["type"] == "template":
            message["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [message],
        }

    async def _fault(self, fault: Fault, request: web.Request) -> web.StreamResponse:
        if fault is Fault.RATE_LIMIT:
            response = _graph_error(429, 130429, "Rate limit hit")
            response.headers["Retry-After"] = str(self.retry_after_seconds)
            return response
        if fault is Fault.PAIR_RATE:
            return _graph_error(400, 131056, "(Business Account, Consumer Account) pair rate limit")
        if fault is Fault.SERVER_ERROR:
            return _graph_error(500, 1, "An unknown error occurred", kind="OAuthException")
        if fault is Fault.HANG:
            await self._release_hung.wait()  # the client's timeout fires long before this
        if request.transport is not None:  # DROP, or a released HANG
            request.transport.close()
        return web.Response()


def _graph_error(status: int, code: int, message: str, *, kind: str = "OAuthException") -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": f"(#{code}) {message}",
                "type": kind,
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": message},
                "fbtrace_id": "AFakeTraceId",
            }
        },
        status=status,
    )
