"""Translation at the edge: catalogs in locales/, the member's language chosen per update."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import I18nMiddleware as _AiogramI18nMiddleware

from flows.roles import RoleId
from locales import LOCALES_DIR

LANGUAGES = ("nl", "en")


def N_(key: str) -> str:
    """Mark a msgid kept as data (extracted by `make messages`, translated later)."""
    return key


ROLE_NAMES: dict[RoleId, str] = {
    "leerkracht": N_("role.leerkracht"),
    "mentor": N_("role.mentor"),
    "ib": N_("role.ib"),
    "zorgcoordinator": N_("role.zorgcoordinator"),
    "directie": N_("role.directie"),
    "swv": N_("role.swv"),
    "gs": N_("role.gs"),
    "smw": N_("role.smw"),
    "wijkteam": N_("role.wijkteam"),
    "wijkteamleider": N_("role.wijkteamleider"),
    "jgc": N_("role.jgc"),
    "jv": N_("role.jv"),
    "gedragswetenschapper": N_("role.gedragswetenschapper"),
    "leerplicht": N_("role.leerplicht"),
    "admin": N_("role.admin"),
}


# A school's own names for some roles (`zorgroute school set-naming`). The Rotterdam seed: "where it says
# wijkteam, Capelle a/d IJssel reads CJG-team; for wijkteamleider, contactpersoon CJG". Same roles, same
# route: only the words differ, so this is a per-school display choice, not a route of its own.
DEFAULT_NAMING = "default"
NAMINGS: dict[str, dict[RoleId, str]] = {
    DEFAULT_NAMING: {},
    "capelle": {
        "wijkteam": N_("role.capelle.wijkteam"),
        "wijkteamleider": N_("role.capelle.wijkteamleider"),
    },
}


def role_msgid(role: RoleId, naming: str | None = None) -> str:
    """The msgid that names `role` at a school with this naming preset."""
    return NAMINGS.get(naming or DEFAULT_NAMING, {}).get(role) or ROLE_NAMES.get(role, role)


def make_i18n(default_locale: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain="messages")


def role_names(i18n: I18n, roles: Iterable[RoleId], naming: str | None = None) -> str:
    """'intern begeleider, directie' in the current locale, in the school's own words (`naming`)."""
    return ", ".join(i18n.gettext(role_msgid(role, naming)) for role in roles)


class MemberI18nMiddleware(_AiogramI18nMiddleware):
    """Speaks the member's stored language; strangers and groups get the configured default."""

    def __init__(self, i18n: I18n, default_locale: str) -> None:
        super().__init__(i18n)
        self._default = default_locale

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        member = data.get("member")
        language = getattr(member, "language", None)
        return language if language in LANGUAGES else self._default
