"""Reading cases for lists and views, each read checked against the access policy."""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.case_view import CaseContext
from bot.services.actors import actor_at, schools_of
from bot.services.audit import AuditTrail
from flows.case import Case
from flows.engine import RouteEngine
from flows.policy import Actor, can_act, can_view
from flows.route import Route
from storage.models import Member
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Seen:
    case: Case
    route: Route
    actor: Actor


async def case_context(uow: UnitOfWork, case: Case) -> CaseContext:
    """What the case view shows beside the case: the school, the display names of whoever appears in it
    (participants, assignees, actors on its timeline) and its next date."""
    school = await uow.schools.get(case.school_id)
    ids = {p.member_id for p in case.participants} | set(case.assigned.values())
    ids |= {e.member_id for e in case.timeline if e.member_id is not None}
    names = {}
    for member_id in sorted(ids):
        found = await uow.members.get(member_id)
        if found is not None:
            names[member_id] = uow.members.name(found)
    return CaseContext(
        school_name=school.name if school else "",
        naming=school.naming if school else None,
        names=names,
        next_due=await uow.follow_ups.next_due(case.id) if case.id is not None else None,
    )


class CaseReader:
    """Every case it hands out was allowed by the policy and is written to the audit trail (when one is
    given: the bot always gives one)."""

    def __init__(self, uow: UnitOfWork, route_engine: RouteEngine, audit: AuditTrail | None = None) -> None:
        self.uow, self.route_engine, self.audit = uow, route_engine, audit

    async def one(self, member: Member, ref: str) -> Seen | str:
        """The case if `member` may see it, else the refusal msgid (the same for 'not there')."""
        case = await self.uow.cases.get(ref.strip().upper()) if ref.strip() else None
        if case is None:
            return "access.not_found"
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        actor = actor_at(member, case.school_id)
        decision = can_view(actor, case, route)
        if not decision:
            if self.audit is not None:
                self.audit.refused(ref, decision.reason)
            return decision.reason
        if self.audit is not None:
            await self.audit.case("read", case, member.id)
        return Seen(case, route, actor)

    async def visible(self, member: Member) -> list[Seen]:
        return await self._listed(member, await self._visible(member))

    async def _listed(self, member: Member, seen: list[Seen]) -> list[Seen]:
        """A list shows each case's reference, pupil label and step: one read per case listed."""
        if self.audit is not None:
            for item in seen:
                await self.audit.case("list", item.case, member.id)
        return seen

    async def _visible(self, member: Member) -> list[Seen]:
        out: list[Seen] = []
        for case in await self.uow.cases.list_open(schools_of(member)):
            route = self.route_engine.routes.get(case.route_id, case.route_version)
            actor = actor_at(member, case.school_id)
            if can_view(actor, case, route):
                out.append(Seen(case, route, actor))
        return out

    async def mine(self, member: Member) -> tuple[list[Seen], list[Seen]]:
        """/mijn: what waits for me and the signals I made, from one read of the open cases."""
        visible = await self._visible(member)
        return await self.waiting_for(member, visible), await self.my_signals(member, visible)

    async def waiting_for(self, member: Member, visible: list[Seen] | None = None) -> list[Seen]:
        """What waits for me: open cases whose current step I may act on, and my unfinished drafts.
        `visible`: the open cases I may see, when the caller has read them already."""
        if visible is None:
            visible = await self._visible(member)
        mine = [s for s in visible if can_act(s.actor, s.case, s.route, s.case.step)]
        for case in await self.uow.cases.drafts_of(member.id):
            route = self.route_engine.routes.get(case.route_id, case.route_version)
            mine.append(Seen(case, route, actor_at(member, case.school_id)))
        return await self._listed(member, mine)

    async def my_signals(self, member: Member, visible: list[Seen] | None = None) -> list[Seen]:
        """The open cases `member` signalled, each shown as far as the policy lets them see it."""
        if visible is None:
            visible = await self._visible(member)
        mine = [s for s in visible if s.case.created_by == member.id]
        return await self._listed(member, [s for s in mine if s.case.status != "draft"])

    async def vot_list(self, member: Member) -> list[Seen]:
        """The VOT list: pupils who need extra attention — consented cases, the safety route, and
        families who do not respond."""
        return await self._listed(
            member,
            [
                s
                for s in await self._visible(member)
                if s.case.consent_given or s.case.flags & {"safety", "non_responsive"}
            ],
        )
