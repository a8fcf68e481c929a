"""Translation at the edge: catalogs in locales/, the member's language chosen per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import I18nMiddleware as _AiogramI18nMiddleware

# Kept apart so that the CLI can name msgids without importing aiogram; re-exported for the edge.
from bot.msgids import (
    DEFAULT_NAMING,
    LANGUAGES,
    N_,
    NAMINGS,
    ROLE_NAMES,
    role_msgid,
)
from bot.render.text import Translator
from flows.roles import RoleId
from locales import LOCALES_DIR

__all__ = [
    "DEFAULT_NAMING",
    "LANGUAGES",
    "NAMINGS",
    "N_",
    "ROLE_NAMES",
    "MemberI18nMiddleware",
    "make_i18n",
    "role_msgid",
    "role_names",
]


def make_i18n(default_locale: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain="messages")


def role_names(t: Translator, roles: Iterable[RoleId], naming: str | None = None) -> str:
    """'intern begeleider, directie' in `t`'s language, in the school's own words (`naming`)."""
    return ", ".join(t.param(role_msgid(role, naming)) for role in roles)


class MemberI18nMiddleware(_AiogramI18nMiddleware):
    """Speaks the member's stored language; strangers and groups get the configured default.

    Hands every handler and later middleware `t`, a `Translator` in that language: the one way the
    edge translates (aiogram's context-bound `_()` is not used)."""

    def __init__(self, i18n: I18n, default_locale: str, timezone: str = "Europe/Amsterdam") -> None:
        super().__init__(i18n)
        self._default, self._timezone = default_locale, timezone

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        locale = await self.get_locale(event, data)
        data["t"] = Translator(self.i18n, locale, self._timezone)
        return await super().__call__(handler, event, data)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        member = data.get("member")
        language = getattr(member, "language", None)
        return language if language in LANGUAGES else self._default
