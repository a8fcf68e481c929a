"""Carrying one input through the engine: load the case, ask the engine, store the new case, its
timeline and its notifications in the same unit of work, and hand the actor's events back to render.

This is the only place that turns engine events into side effects, so every router shares it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from aiogram.fsm.context import FSMContext

from bot.services.actors import actor_at
from bot.services.audit import SYSTEM, AuditTrail
from bot.services.follow_ups import record_follow_ups
from bot.services.notify import TELEGRAM_ONLY, Lookups, Told, queue_notifications
from bot.states import CaseForm
from flows import events as ev
from flows import inputs as inp
from flows import policy
from flows.case import Case
from flows.clock import Clock, IdSource
from flows.engine import Result, RouteEngine, awaited_field
from flows.policy import Actor
from flows.route import Field
from storage.models import Member
from storage.uow import UnitOfWork

# Every engine event with its case reference, in order: filled only when a transcript asks for it.
EventLog = list[tuple[str, ev.Event]]


@dataclass
class Outcome:
    """What the actor should see: the events addressed to them, and the case they concern."""

    case: Case | None
    events: list[ev.Event] = field(default_factory=list)
    told: list[Told] = field(default_factory=list)  # whom the action's notifications reach, and when

    @property
    def refused(self) -> bool:
        return any(isinstance(e, ev.Refused) for e in self.events)


class CaseService:
    def __init__(
        self,
        uow: UnitOfWork,
        route_engine: RouteEngine,
        clock: Clock,
        ids: IdSource,
        timezone: str,
        event_log: EventLog | None = None,
        channels: Collection[str] = TELEGRAM_ONLY,
        audit: AuditTrail | None = None,
        dialogue: FSMContext | None = None,
        lookups: Lookups | None = None,
    ) -> None:
        self.uow, self.route_engine, self.clock, self.ids, self.timezone = (
            uow,
            route_engine,
            clock,
            ids,
            timezone,
        )
        self.event_log = event_log
        self.channels = channels  # the channels the running bot can send on
        # Every persisted change is audited; without a trail from the edge it is the system's (follow-ups).
        self.audit = audit or AuditTrail(uow, clock, member=None, channel=SYSTEM, via="follow-up")
        # The acting member's dialogue state (bot/states.CaseForm), None without one (follow-ups).
        self.dialogue = dialogue
        # Who holds which role and their preferences, remembered across a batch (follow-ups); None: read each.
        self.lookups = lookups

    async def start(self, member: Member, school_id: int, route_id: str) -> Outcome:
        now = self.clock.now()
        actor = actor_at(member, school_id)
        # One open signal form at a time: a new /signaal replaces an unfinished draft.
        await self.discard_open_form(member)
        started = self.route_engine.start(
            route_id, actor, ref=self.ids.case_ref(), now=now, timezone=self.timezone
        )
        if isinstance(started, ev.Refused):
            return Outcome(None, [started])
        route = self.route_engine.routes.get(route_id)
        definition = self.route_engine.routes.definition(route.id, route.version)
        if definition is not None:
            await self.uow.cases.remember_route(route.id, route.version, definition, now)
        return await self._store(member, actor, None, started)

    async def advance(
        self, member: Member, ref: str, given: inp.Input, *, loaded: Case | None = None
    ) -> Outcome:
        """`loaded`: the case as this unit of work already read it (`awaited`), not read again."""
        case = loaded if loaded is not None and loaded.ref == ref else await self.uow.cases.get(ref)
        if case is None:
            return Outcome(None, [ev.Refused(member.id, policy.NOT_FOUND.reason)])
        actor = actor_at(member, case.school_id)
        result = self.route_engine.advance(case, actor, given, self.clock.now())
        if result.case is case and not result.refused:
            # Nothing changed (e.g. a cancel with no form open): no new revision, no audit row.
            return Outcome(case, [e for e in result.events if _for(e, member.id)])
        if result.refused:
            reason = next((e.message for e in result.events if isinstance(e, ev.Refused)), "")
            self.audit.refused(case.ref, reason)
            self._log(case.ref, result.events)
            return Outcome(case, [e for e in result.events if _for(e, member.id)])
        return await self._store(member, actor, case, result)

    async def awaited(self, member: Member, ref: str) -> tuple[Case | None, Field | None]:
        """The case and the field the member's open form on it waits for a typed answer to (None: none);
        the case goes on to `advance(..., loaded=)`, so a typed answer reads it once."""
        case = await self.uow.cases.get(ref)
        if case is None:
            return None, None
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        return case, awaited_field(route, case, member.id)

    async def alerts(self, member: Member, ref: str, action_id: str, step: str) -> tuple[str, ...]:
        """The roles action `action_id` would alert, when `member` may take it now (else nothing, and the
        engine answers the press as it would any other)."""
        case = await self.uow.cases.get(ref)
        if case is None:
            return ()
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        action = route.actions.get(action_id)
        if action is None or not policy.can_do_action(
            actor_at(member, case.school_id), case, route, action, step
        ):
            return ()
        return self.route_engine.alerts(action)

    def may_view(self, member: Member, case: Case) -> bool:
        """The access policy's answer, for the edge to refuse a press before it reads the button's data."""
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        return bool(policy.can_view(actor_at(member, case.school_id), case, route))

    async def timeout(
        self, ref: str, step: str, follow_up: str, *, case: Case | None = None
    ) -> Result | None:
        """A due follow-up re-enters the engine as a timeout input (no actor). `case`: the case `ref` as
        this unit of work already read it (a batch of follow-ups loads its cases together)."""
        if case is None:
            case = await self.uow.cases.get(ref)
        if case is None:
            return None
        result = self.route_engine.advance(case, None, inp.Timeout(follow_up, step), self.clock.now())
        if result.case is case:
            return result
        await self._persist(None, case, result)
        return result

    async def discard_open_form(self, member: Member) -> Outcome | None:
        """Leave the member's open form, if any (used by /annuleer and a new /signaal)."""
        ref = await self._open_form()
        if ref is None:
            return None
        await self._close_form()
        case = await self.uow.cases.get(ref)
        if case is None:
            return None
        result = self.route_engine.advance(
            case, actor_at(member, case.school_id), inp.Discard(), self.clock.now()
        )
        await self._persist(member.id, case, result)
        return Outcome(result.case, [e for e in result.events if _for(e, member.id)])

    async def _store(self, member: Member, actor: Actor, before: Case | None, result: Result) -> Outcome:
        told: list[Told] = []
        saved = await self._persist(member.id, before, result, told)
        # The open form is the case with the member's draft; which step it is on, only the draft says.
        if member.id in saved.drafts:
            await self._open_form_on(saved.ref)  # unchanged while the form stays open: no write
        elif await self._open_form() == saved.ref:
            await self._close_form()
        return Outcome(saved, [e for e in result.events if _for(e, member.id)], told)

    async def _open_form(self) -> str | None:
        """The reference of the case whose form the member has open, if any."""
        if self.dialogue is None or await self.dialogue.get_state() != CaseForm.open.state:
            return None
        return str((await self.dialogue.get_data()).get("ref", ""))

    async def _open_form_on(self, ref: str) -> None:
        if self.dialogue is not None:
            await self.dialogue.set_state(CaseForm.open)
            await self.dialogue.set_data({"ref": ref})

    async def _close_form(self) -> None:
        if self.dialogue is not None:
            await self.dialogue.clear()

    async def _persist(
        self, actor_id: int | None, before: Case | None, result: Result, told: list[Told] | None = None
    ) -> Case:
        now = self.clock.now()
        for entered in (e for e in result.events if isinstance(e, ev.RouteEntered)):
            # A sub-route (the Meldcode) is pinned like the route a case starts in: keep its definition.
            definition = self.route_engine.routes.definition(entered.route, entered.version)
            if definition is not None:
                await self.uow.cases.remember_route(entered.route, entered.version, definition, now)
        known = len(before.timeline) if before is not None else 0
        appended = result.case.timeline[known:]
        saved = await self.uow.cases.save(result.case, now, appended, stored=before)
        await self.audit.case(
            "create" if before is None else "update",
            saved,
            actor_id,
            detail=" ".join(f"{e.action}:{e.step}" for e in appended) or "draft",
        )
        self._log(saved.ref, result.events)
        route = self.route_engine.routes.get(saved.route_id, saved.route_version)
        await queue_notifications(
            self.uow,
            route,
            saved,
            result.events,
            now=now,
            event_seq=len(saved.timeline),
            available=self.channels,
            timezone=self.timezone,
            told=told,
            lookups=self.lookups,
        )
        await record_follow_ups(self.uow, route, saved, result.events, now=now)
        return saved

    def _log(self, ref: str, events: tuple[ev.Event, ...]) -> None:
        if self.event_log is not None:
            self.event_log.extend((ref, e) for e in events)


def _for(event: ev.Event, member_id: int) -> bool:
    return isinstance(event, ev.Prompt | ev.Summary | ev.Say | ev.Refused) and event.member == member_id
