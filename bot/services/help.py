"""The text of /help (and of the welcome): drawn from the command registry and the member's roles."""

from __future__ import annotations

from bot.commands import commands_for
from bot.i18n import role_names
from bot.render.text import Html, Translator
from bot.services.school_routes import starting_schools
from flows.engine import RouteEngine
from storage.models import Member
from storage.uow import UnitOfWork

SchoolRoles = tuple[str, list[str], str | None]  # school name, role ids, the school's naming preset


async def roles_by_school(uow: UnitOfWork, member: Member) -> list[SchoolRoles]:
    """[(school name, [role ids], naming)] in the order the roles were given."""
    grouped: dict[int, list[str]] = {}
    for held in member.roles:
        grouped.setdefault(held.school_id, []).append(held.role)
    result = []
    for school_id, roles in grouped.items():
        school = await uow.schools.get(school_id)
        result.append((school.name if school else str(school_id), roles, school.naming if school else None))
    return result


def roles_line(t: Translator, schools: list[SchoolRoles]) -> Html:
    return Html(
        "; ".join(
            t("help.role_at_school", roles=role_names(t, roles, naming), school=name)
            for name, roles, naming in schools
        )
    )


def commands_text(t: Translator, member: Member, *, may_start: bool) -> str:
    """The commands of the member's roles; `may_start`: a route of theirs lets them start a case."""
    roles = {held.role for held in member.roles}
    lines = [f"/{spec.name} — {t(spec.description)}" for spec in commands_for(roles, may_start=may_start)]
    coming = commands_for(roles, may_start=may_start, available=False)
    if coming:
        lines.append("")
        lines.append(t("help.coming"))
        lines.extend(f"/{spec.name} — {t(spec.description)}" for spec in coming)
    return "\n".join(lines)


async def member_commands(uow: UnitOfWork, route_engine: RouteEngine, t: Translator, member: Member) -> str:
    """commands_text for `member`, with /signaal where their school's route lets them start."""
    may_start = bool(await starting_schools(member, uow, route_engine))
    return commands_text(t, member, may_start=may_start)


async def help_text(uow: UnitOfWork, route_engine: RouteEngine, t: Translator, member: Member) -> str:
    schools = await roles_by_school(uow, member)
    return "\n".join(
        [
            t("help.header"),
            t("help.roles", roles=roles_line(t, schools)),
            "",
            await member_commands(uow, route_engine, t, member),
        ]
    )
