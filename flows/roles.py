"""The role ids a member can hold at a school (see docs/glossary.md), and the kinds of school. Pure data."""

from __future__ import annotations

RoleId = str

ROLES: frozenset[RoleId] = frozenset(
    {
        "leerkracht",
        "aandachtsfunctionaris",  # the Meldcode's colleague who knows (several schools may share one)
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

# po: primary (primair onderwijs), vo: secondary (voortgezet onderwijs).
SCHOOL_KINDS: tuple[str, ...] = ("po", "vo")
