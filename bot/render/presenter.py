"""Turns the actor's engine events into Telegram messages: looks up what rendering needs (step titles,
the school's recent pupils) and leaves the wording to the catalogs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.render.form import Rendered, render_prompt, render_reply, render_summary
from bot.render.minimal import minimal_summary
from bot.render.text import Translator
from flows import events as ev
from flows.case import Case
from flows.engine import RouteEngine
from storage.uow import UnitOfWork


class Presenter:
    def __init__(
        self,
        t: Translator,
        route_engine: RouteEngine,
        uow: UnitOfWork,
        now: datetime,
        *,
        minimal: bool = False,  # minimal-content chat: summaries without the answers (docs/webapp.md)
    ) -> None:
        self.t, self.route_engine, self.uow, self.now = t, route_engine, uow, now
        self.minimal = minimal

    def step_title(self, case: Case, step_id: str) -> str:
        return self.route_engine.routes.get(case.route_id, case.route_version).step(step_id).title

    async def candidates(self, case: Case, roles: tuple[str, ...]) -> list[tuple[int, str]]:
        """The members a member field offers: the holders of its roles at the case's school, by name."""
        if not roles:
            return []
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        found = await self.uow.members.with_roles(case.school_id, sorted(route.expand(roles)))
        return [(m.id, self.uow.members.name(m)) for m in found]

    def _member_roles(self, case: Case, summary: ev.Summary) -> tuple[str, ...]:
        step = self.route_engine.routes.get(case.route_id, case.route_version).step(summary.step)
        return tuple(sorted({r for f in step.fields if f.kind == "member" for r in f.roles}))

    async def render(self, case: Case | None, events: list[ev.Event]) -> list[Rendered]:
        out: list[Rendered] = []
        for event in events:
            if isinstance(event, ev.Prompt) and case is not None:
                pupils = (
                    await self.uow.cases.recent_pupils(case.school_id, event.member)
                    if event.kind == "pupil"
                    else []
                )
                today = self.now.astimezone(ZoneInfo(case.timezone)).date()
                members = await self.candidates(case, event.roles) if event.kind == "member" else []
                title = self.step_title(case, event.step)
                out.append(
                    render_prompt(self.t, case, title, event, today=today, pupils=pupils, members=members)
                )
            elif isinstance(event, ev.Summary) and case is not None and self.minimal:
                out.append(minimal_summary(self.t, case, self.step_title(case, event.step), event))
            elif isinstance(event, ev.Summary) and case is not None:
                names = dict(await self.candidates(case, self._member_roles(case, event)))
                out.append(render_summary(self.t, case, self.step_title(case, event.step), event, names))
            elif isinstance(event, ev.Say | ev.Refused):
                out.append((render_reply(self.t, event), None))
        return out
