"""/agenda: my open follow-ups — deadlines on steps I may act on, upcoming or overdue."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.actors import actor_at, schools_of
from flows.case import Case
from flows.engine import RouteEngine
from flows.msgids import Msg
from flows.policy import can_act
from flows.route import Route
from storage.models import Member
from storage.repositories.follow_ups import OpenFollowUp
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class AgendaItem:
    follow_up: OpenFollowUp
    case: Case
    route: Route

    @property
    def what(self) -> Msg:
        """The msgid that says what falls due: the follow-up's own message, else the step's title."""
        step = self.route.step(self.follow_up.step)
        found = next((f for f in step.follow_ups if f.id == self.follow_up.follow_up), None)
        notify = next((e for e in found.effects if e.kind == "notify"), None) if found else None
        return Msg(notify.args["message"]) if notify is not None else step.title


async def agenda_for(uow: UnitOfWork, route_engine: RouteEngine, member: Member) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    cases: dict[int, Case | None] = {}
    for open_one in await uow.follow_ups.open_for(school_ids=schools_of(member)):
        if open_one.case_id not in cases:
            cases[open_one.case_id] = await uow.cases.get_by_id(open_one.case_id)
        case = cases[open_one.case_id]
        if case is None:
            continue
        route = route_engine.routes.get(case.route_id, case.route_version)
        if can_act(actor_at(member, case.school_id), case, route, open_one.step):
            items.append(AgendaItem(open_one, case, route))
    return items
