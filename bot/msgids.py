"""Msgids kept as data and the role names, without the translation machinery: the CLI and the services
that only name msgids import this, not aiogram (bot/i18n.py re-exports it for the edge)."""

from __future__ import annotations

from flows.msgids import N_, Msg
from flows.roles import RoleId

__all__ = ["DEFAULT_NAMING", "LANGUAGES", "NAMINGS", "N_", "ROLE_NAMES", "Msg", "role_msgid"]

LANGUAGES = ("nl", "en")


ROLE_NAMES: dict[RoleId, Msg] = {
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
    "aandachtsfunctionaris": N_("role.aandachtsfunctionaris"),
    "admin": N_("role.admin"),
}


# A school's own names for some roles (`zorgroute school set-naming`). The Rotterdam seed: "where it says
# wijkteam, Capelle a/d IJssel reads CJG-team; for wijkteamleider, contactpersoon CJG". Same roles, same
# route: only the words differ, so this is a per-school display choice, not a route of its own.
DEFAULT_NAMING = "default"
NAMINGS: dict[str, dict[RoleId, Msg]] = {
    DEFAULT_NAMING: {},
    "capelle": {
        "wijkteam": N_("role.capelle.wijkteam"),
        "wijkteamleider": N_("role.capelle.wijkteamleider"),
    },
}


def role_msgid(role: RoleId, naming: str | None = None) -> str:
    """The msgid that names `role` at a school with this naming preset (a role without a name: its id,
    a plain string, shown as it is)."""
    named = NAMINGS.get(naming or DEFAULT_NAMING, {}).get(role) or ROLE_NAMES.get(role)
    return role if named is None else named
