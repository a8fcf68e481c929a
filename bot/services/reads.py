"""Reading cases for lists and views, each read checked against the access policy."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.actors import actor_at, schools_of
from flows.case import Case
from flows.engine import Engine
from flows.policy import Actor, can_act, can_view
from flows.route import Route
from storage.models import Member
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Seen:
    case: Case
    route: Route
    actor: Actor


class CaseReader:
    def __init__(self, uow: UnitOfWork, engine: Engine) -> None:
        self.uow, self.engine = uow, engine

    async def one(self, member: Member, ref: str) -> Seen | str:
        """The case if `member` may see it, else the refusal msgid (the same for 'not there')."""
        case = await self.uow.cases.get(ref.strip().upper()) if ref.strip() else None
        if case is None:
            return "access.not_found"
        route = self.engine.routes.get(case.route_id, case.route_version)
        actor = actor_at(member, case.school_id)
        decision = can_view(actor, case, route)
        return Seen(case, route, actor) if decision else decision.reason

    async def visible(self, member: Member) -> list[Seen]:
        out: list[Seen] = []
        for case in await self.uow.cases.list_open(schools_of(member)):
            route = self.engine.routes.get(case.route_id, case.route_version)
            actor = actor_at(member, case.school_id)
            if can_view(actor, case, route):
                out.append(Seen(case, route, actor))
        return out

    async def waiting_for(self, member: Member) -> list[Seen]:
        """What waits for me: open cases whose current step I may act on, and my unfinished drafts."""
        mine = [s for s in await self.visible(member) if can_act(s.actor, s.case, s.route, s.case.step)]
        for case in await self.uow.cases.drafts_of(member.id):
            route = self.engine.routes.get(case.route_id, case.route_version)
            mine.append(Seen(case, route, actor_at(member, case.school_id)))
        return mine

    async def vot_list(self, member: Member) -> list[Seen]:
        """The VOT list: pupils who need extra attention — consented cases, the safety route, and
        families who do not respond."""
        return [
            s
            for s in await self.visible(member)
            if s.case.consent_given or s.case.flags & {"safety", "non_responsive"}
        ]
