"""Who opened the Mini App: Telegram's signed initData, checked with aiogram's own helper, then a short-
lived session token so the pages that follow need no initData.

initData is signed by Telegram with a key derived from the bot token (HMAC-SHA256, Telegram's documented
algorithm; aiogram.utils.web_app implements it). We accept it only when the signature holds, `auth_date`
is at most `max_age` old by the injected clock, and the Telegram user is a registered member. The session
is a token signed with a key derived from the same bot token: member id, Telegram user id and expiry.
Nothing is stored: every request checks the signature and the expiry and loads the member again, so a
member who was removed (offboarding clears the Telegram id) is refused at once, whatever they hold."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data

from storage.models import Member
from storage.uow import UnitOfWork

SESSION_COOKIE = "zr_session"
_SESSION_KEY_LABEL = b"ZorgrouteWebAppSession"


def parse_init_data(token: str, raw: str, now: datetime, max_age: timedelta) -> WebAppInitData | None:
    """The initData if Telegram signed it for this bot, it names a user and it is not older than
    `max_age` (nor from the future beyond a minute's clock skew); else None."""
    try:
        data = safe_parse_webapp_init_data(token, raw)
    except (ValueError, TypeError):  # a bad signature, or fields that do not parse
        return None
    if data.user is None:
        return None
    age = now - data.auth_date
    if age > max_age or age < -timedelta(minutes=1):
        return None
    return data


@dataclass(frozen=True)
class Session:
    member_id: int
    telegram_user_id: int
    expires: int  # unix seconds


class SessionTokens:
    """Signs and checks session tokens: `member.telegram.expires.signature` (hex HMAC-SHA256)."""

    def __init__(self, bot_token: str, lifetime: timedelta) -> None:
        self._key = hmac.new(_SESSION_KEY_LABEL, bot_token.encode(), hashlib.sha256).digest()
        self.lifetime = lifetime

    def issue(self, member: Member, now: datetime) -> str:
        assert member.telegram_user_id is not None
        expires = int((now + self.lifetime).timestamp())
        body = f"{member.id}.{member.telegram_user_id}.{expires}"
        return f"{body}.{self._sign(body)}"

    def check(self, token: str, now: datetime) -> Session | None:
        parts = token.split(".")
        if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
            return None
        body = ".".join(parts[:3])
        if not hmac.compare_digest(self._sign(body), parts[3]):
            return None
        session = Session(int(parts[0]), int(parts[1]), int(parts[2]))
        return session if now.timestamp() < session.expires else None

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()


async def member_of(uow: UnitOfWork, telegram_user_id: int, member_id: int | None = None) -> Member | None:
    """The registered member behind a Telegram user (and, for a session, still the same member)."""
    member = await uow.members.by_telegram_id(telegram_user_id)
    if member is None or (member_id is not None and member.id != member_id):
        return None
    return member
