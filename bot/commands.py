"""The one registry of slash commands: who may use them and the msgid that describes them.

/help and Telegram's command menu are drawn from this table. Later features add their entries here
(or flip `available` when they ship) instead of writing help texts by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.i18n import N_
from flows.roles import ROLES, RoleId

EVERYONE: frozenset[RoleId] = ROLES


@dataclass(frozen=True)
class CommandSpec:
    name: str  # without the slash
    description: str  # msgid
    roles: frozenset[RoleId]  # who may use it
    aliases: tuple[str, ...] = ()
    available: bool = True  # False: announced in /help as coming, not yet handled
    # Open to whoever the school's route lets start a case (its `start.roles`, flows/policy.can_start),
    # whatever `roles` says: routes differ (an IB-er starts in one, not in another).
    starts_route: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help", N_("cmd.help"), EVERYONE),
    CommandSpec("taal", N_("cmd.taal"), EVERYONE, aliases=("language",)),
    CommandSpec("annuleer", N_("cmd.annuleer"), EVERYONE, aliases=("cancel",)),
    CommandSpec("start", N_("cmd.start"), EVERYONE),
    # Later features: listed now so /help and role checks have one source of truth.
    CommandSpec("signaal", N_("cmd.signaal"), frozenset(), starts_route=True),
    CommandSpec("signalen", N_("cmd.signalen"), frozenset({"ib", "zorgcoordinator", "directie"})),
    CommandSpec(
        "lijst",
        N_("cmd.lijst"),
        frozenset({"ib", "zorgcoordinator", "swv", "gs", "smw", "directie"}),
    ),
    CommandSpec("zaak", N_("cmd.zaak"), EVERYONE - {"admin"}),
    CommandSpec("mijn", N_("cmd.mijn"), EVERYONE - {"admin"}),
    CommandSpec("agenda", N_("cmd.agenda"), EVERYONE - {"admin"}),
    CommandSpec("route", N_("cmd.route"), EVERYONE, aliases=("routekaart",)),
    CommandSpec("meldingen", N_("cmd.meldingen"), EVERYONE - {"admin"}, aliases=("notifications",)),
    CommandSpec("vot", N_("cmd.vot"), frozenset({"ib", "zorgcoordinator", "directie", "swv", "gs", "smw"})),
    # Aggregates only; flows/policy.py REPORT_ROLES decides the level (school; region for the SWV).
    CommandSpec(
        "overzicht",
        N_("cmd.overzicht"),
        frozenset({"directie", "ib", "zorgcoordinator", "swv"}),
        aliases=("overview",),
    ),
)


def by_name(name: str) -> CommandSpec | None:
    for spec in COMMANDS:
        if name == spec.name or name in spec.aliases:
            return spec
    return None


def commands_for(
    roles: Iterable[RoleId], *, may_start: bool = False, available: bool | None = True
) -> list[CommandSpec]:
    """The commands open to someone with any of `roles` who may (or may not) start a case at one of their
    schools (bot/services/school_routes.starting_schools); filtered on `available` unless None."""
    held = set(roles)
    return [
        spec
        for spec in COMMANDS
        if (may_start if spec.starts_route else bool(held & spec.roles))
        and (available is None or spec.available == available)
    ]


def common_commands() -> list[CommandSpec]:
    """Commands every member has: the default command menu."""
    return [spec for spec in COMMANDS if spec.roles == EVERYONE and spec.available]
