"""The WhatsApp webhook endpoint: Meta's subscription handshake and signed notifications."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.channels.whatsapp_events import Inbound, StatusUpdate, parse_inbound, parse_statuses

__all__ = [
    "Inbound",
    "StatusUpdate",
    "make_webhook_handlers",
    "parse_inbound",
    "parse_statuses",
    "verify_signature",
]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OnStatuses = Callable[[list[StatusUpdate]], Awaitable[None]]
OnInbound = Callable[[list[Inbound]], Awaitable[None]]

_PREFIX = "sha256="


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Check ``X-Hub-Signature-256``: "sha256=" + hex HMAC-SHA256 of the raw body.

    The raw bytes matter: re-serialised JSON would not match.
    """
    if not header or not header.startswith(_PREFIX) or not app_secret:
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    given = header[len(_PREFIX) :].strip().lower().encode("utf-8", "replace")
    # Constant-time, so the signature cannot be discovered byte by byte from response times;
    # bytes, because compare_digest raises on non-ASCII str (a forged header must give 403).
    return hmac.compare_digest(expected.encode("ascii"), given)


def make_webhook_handlers(
    app_secret: str,
    verify_token: str,
    on_statuses: OnStatuses,
    on_inbound: OnInbound,
) -> tuple[Handler, Handler]:
    """``(get_handler, post_handler)`` for one webhook URL.

    The callbacks run before Meta gets its 200; if one raises, Meta gets a 500 and delivers the
    notification again later, so the callbacks must be idempotent (keyed on wamid / wa_id+time).
    """

    async def get_handler(request: web.Request) -> web.StreamResponse:
        query = request.query
        token = query.get("hub.verify_token", "")
        challenge = query.get("hub.challenge")
        if (
            query.get("hub.mode") == "subscribe"
            and challenge is not None
            and hmac.compare_digest(token.encode(), verify_token.encode())
        ):
            return web.Response(text=challenge)
        return web.Response(status=403)

    async def post_handler(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if not verify_signature(app_secret, body, request.headers.get("X-Hub-Signature-256")):
            return web.Response(status=403)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            # Signed by Meta yet unreadable: a redelivery would be just as unreadable.
            log.warning("WhatsApp webhook: signed body is not a JSON object; ignored")
            return web.Response(status=200)
        statuses = parse_statuses(payload)
        inbound = parse_inbound(payload)
        if statuses:
            await on_statuses(statuses)
        if inbound:
            await on_inbound(inbound)
        return web.Response(status=200)

    return get_handler, post_handler
