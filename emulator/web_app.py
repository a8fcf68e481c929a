"""initData as Telegram signs it for a Mini App (Web App) it opens: the user, the auth date and a hash,
HMAC-SHA256 with the key derived from the bot token (core.telegram.org/bots/webapps, "Validating data
received via the Mini App"). The browser demo and the tests open the Mini App with it, as Telegram would."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import quote, urlencode


def sign_init_data(
    token: str, user_id: int, auth_date: datetime, *, first_name: str = "Demo", language: str = "nl"
) -> str:
    """The query string Telegram hands the Mini App in `Telegram.WebApp.initData`."""
    user = {"id": user_id, "first_name": first_name, "language_code": language}
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "query_id": f"AAE{user_id}",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
    }
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields, quote_via=quote)


def launch_url(app_url: str, init_data: str) -> str:
    """Where a client opens the Mini App: its URL with the initData in the fragment (tgWebAppData)."""
    return f"{app_url}#{urlencode({'tgWebAppData': init_data, 'tgWebAppVersion': '7.0'})}"
