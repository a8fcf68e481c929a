"""The role ids of the domain (see docs/glossary.md). A member holds roles per school."""

from __future__ import annotations

RoleId = str

ROLES: frozenset[RoleId] = frozenset(
    {
        "leerkracht",
        "mentor",
        "ib",
        "zorgcoordinator",
        "directie",
        "swv",
        "gs",
        "smw",
        "wijkteam",
        "wijkteamleider",
        "jgc",
        "jv",
        "gedragswetenschapper",
        "leerplicht",
        "admin",
    }
)
