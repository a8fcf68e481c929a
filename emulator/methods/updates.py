"""getUpdates and the webhook settings: the two mutually exclusive ways the bot receives updates."""

from __future__ import annotations

import re
from typing import Any

from emulator.errors import ApiError, bad_request
from emulator.models import WebhookConfig
from emulator.params import Params
from emulator.state import EmulatorState

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


async def get_updates(state: EmulatorState, p: Params) -> list[dict[str, Any]]:
    if state.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = p.integer("offset", 0) or 0
    if offset:
        state.updates.confirm_below(offset)
    _remember_allowed(state, p)
    limit = min(max(p.integer("limit", 100) or 100, 1), 100)
    timeout = max(p.integer("timeout", 0) or 0, 0)
    return await state.updates.fetch(limit=limit, timeout=timeout)


async def set_webhook(state: EmulatorState, p: Params) -> bool:
    url = p.text("url") or ""
    if not url:  # Telegram treats an empty url as "remove the webhook"
        return await delete_webhook(state, p)
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.text("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if p.flag("drop_pending_updates"):
        state.updates.drop_all()
    _remember_allowed(state, p)
    state.webhook = WebhookConfig(url, secret, p.integer("max_connections", 40) or 40)
    state.updates.poke()  # the pusher starts delivering what is already queued
    return True


async def delete_webhook(state: EmulatorState, p: Params) -> bool:
    state.webhook = None
    if p.flag("drop_pending_updates"):
        state.updates.drop_all()
    state.updates.poke()
    return True


async def get_webhook_info(state: EmulatorState, p: Params) -> dict[str, Any]:
    cfg = state.webhook
    info: dict[str, Any] = {
        "url": cfg.url if cfg else "",
        "has_custom_certificate": False,
        "pending_update_count": state.updates.pending_count,
    }
    if cfg is not None:
        info["max_connections"] = cfg.max_connections
        if cfg.last_error_date is not None:
            info["last_error_date"] = int(cfg.last_error_date.timestamp())
            info["last_error_message"] = cfg.last_error_message
    if state.updates.allowed_updates:
        info["allowed_updates"] = list(state.updates.allowed_updates)
    return info


def _remember_allowed(state: EmulatorState, p: Params) -> None:
    # Omitted means "keep the previous setting"; an empty list means Telegram's default set.
    allowed = p.obj("allowed_updates")
    if isinstance(allowed, list):
        state.updates.allowed_updates = [str(kind) for kind in allowed]
