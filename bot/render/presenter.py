"""Turns the actor's engine events into Telegram messages: looks up what rendering needs (step titles,
the school's recent pupils) and leaves the wording to the catalogs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.render.form import Rendered, render_prompt, render_reply, render_summary
from bot.render.text import Translator
from flows import events as ev
from flows.case import Case
from flows.engine import RouteEngine
from storage.uow import UnitOfWork


class Presenter:
    def __init__(self, t: Translator, route_engine: RouteEngine, uow: UnitOfWork, now: datetime) -> None:
        self.t, self.route_engine, self.uow, self.now = t, route_engine, uow, now

    def step_title(self, case: Case, step_id: str) -> str:
        return self.route_engine.routes.get(case.route_id, case.route_version).step(step_id).title

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
                out.append(
                    render_prompt(
                        self.t, case, self.step_title(case, event.step), event, today=today, pupils=pupils
                    )
                )
            elif isinstance(event, ev.Summary) and case is not None:
                out.append(render_summary(self.t, case, self.step_title(case, event.step), event))
            elif isinstance(event, ev.Say | ev.Refused):
                out.append((render_reply(self.t, event), None))
        return out
