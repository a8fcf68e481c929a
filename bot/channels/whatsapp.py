"""Sending WhatsApp messages through the Business Cloud API (Graph API ``/{id}/messages``).

Templates (pre-approved by Meta) may be sent at any time; free text only inside the 24-hour
customer-service window that opens when the professional last wrote to us.
The Cloud API has no idempotency key: a retry after ``maybe_delivered`` can duplicate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

import aiohttp

from bot.channels.errors import (
    ChannelError,
    OutsideServiceWindowError,
    PermanentError,
    RetryableError,
)
from bot.channels.phone import normalize_phone
from bot.channels.whatsapp_errors import graph_error

SERVICE_WINDOW = timedelta(hours=24)
MAX_TEXT = 4096

_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
# Meta refuses template parameters with newlines, tabs or more than four spaces in a row.
_BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")


@dataclass(frozen=True, kw_only=True)
class WhatsAppSettings:
    base_url: str = "https://graph.facebook.com/v21.0"
    phone_number_id: str
    access_token: str = field(repr=False)
    app_secret: str = field(repr=False)
    timeout: float = 10.0


def within_service_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while free text is allowed: less than 24 hours since the user's last message."""
    if last_inbound_at is None:
        return False
    if last_inbound_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("service-window times must be timezone-aware")
    return now - last_inbound_at < SERVICE_WINDOW


class WhatsAppClient:
    """One client per settings; pass a shared ``aiohttp.ClientSession`` or let it own one."""

    def __init__(self, settings: WhatsAppSettings, session: aiohttp.ClientSession | None = None) -> None:
        self._settings = settings
        self._session = session
        self._owns_session = session is None
        self._url = f"{settings.base_url.rstrip('/')}/{settings.phone_number_id}/messages"

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def send_template(self, to: str, template: str, language: str, parameters: list[str]) -> str:
        """Send an approved template with positional body parameters; returns the wamid."""
        if not _TEMPLATE_NAME.fullmatch(template):
            raise PermanentError("template name must be lowercase letters, digits, underscores")
        if not _LANGUAGE_CODE.fullmatch(language):
            raise PermanentError("template language must look like 'nl' or 'en_US'")
        if any(not p.strip() or _BAD_PARAMETER.search(p) for p in parameters):
            raise PermanentError("template parameter is empty or has newlines/tabs/long spaces")
        body: dict[str, object] = {"name": template, "language": {"code": language}}
        if parameters:
            body["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
            ]
        return await self._send(to, {"type": "template", "template": body})

    async def send_text(self, to: str, text: str, *, last_inbound_at: datetime | None, now: datetime) -> str:
        """Send free text, refused locally outside the window (Meta would accept the call and
        fail it later by webhook, which is harder to act on)."""
        if not within_service_window(last_inbound_at, now):
            raise OutsideServiceWindowError("outside the customer-service window")
        if not text.strip() or len(text) > MAX_TEXT:
            raise PermanentError(f"text must be 1..{MAX_TEXT} characters")
        return await self._send(to, {"type": "text", "text": {"body": text, "preview_url": False}})

    async def _send(self, to: str, message: dict[str, object]) -> str:
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": normalize_phone(to),
            **message,
        }
        headers = {"Authorization": f"Bearer {self._settings.access_token}"}
        timeout = aiohttp.ClientTimeout(total=self._settings.timeout)
        try:
            async with self._http().post(
                self._url, json=payload, headers=headers, timeout=timeout
            ) as response:
                body = await _json_or_none(response)
                if not 200 <= response.status < 300:
                    raise graph_error(response.status, body, response.headers.get("Retry-After"))
                return _wamid(body)
        except ChannelError:
            raise
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            # Never connected: the request cannot have reached Meta.
            raise RetryableError("WhatsApp API unreachable", maybe_delivered=False) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise RetryableError(
                f"WhatsApp API connection failed ({type(exc).__name__})", maybe_delivered=True
            ) from exc

    def _http(self) -> aiohttp.ClientSession:
        # Created lazily so the client can be built outside a running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session


async def _json_or_none(response: aiohttp.ClientResponse) -> object:
    try:
        return await response.json(content_type=None)
    except ValueError:  # an HTML error page from a proxy, or an empty body
        return None


def _wamid(body: object) -> str:
    messages = body.get("messages") if isinstance(body, dict) else None
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        wamid = messages[0].get("id")
        if isinstance(wamid, str) and wamid:
            return wamid
    # Accepted but untrackable: retrying could send twice, so this is not retryable.
    raise PermanentError("WhatsApp accepted the request but returned no message id")
