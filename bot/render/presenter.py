"""Turns the actor's engine events into Telegram messages: looks up what rendering needs (step titles,
the school's recent pupils) and leaves the wording to the catalogs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.i18n import role_names
from bot.render.form import Rendered, header, render_answered, render_prompt, render_reply, render_summary
from bot.render.minimal import minimal_summary, step_in_app
from bot.render.text import Translator
from bot.services.notify import Told
from flows import events as ev
from flows.case import Case
from flows.engine import RouteEngine, answers_of
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
        app_url: str | None = None,  # with `minimal`: forms open in the Mini App, not asked in the chat
    ) -> None:
        self.t, self.route_engine, self.uow, self.now = t, route_engine, uow, now
        self.minimal = minimal
        self.app_url = app_url if minimal else None

    def step_title(self, case: Case, step_id: str) -> str:
        # The step may be a sub-route's the case has just left (the Meldcode's last step, pressed).
        return self.route_engine.route_of_step(case, step_id).step(step_id).title

    async def candidates(self, case: Case, roles: tuple[str, ...]) -> list[tuple[int, str]]:
        """The members a member field offers: the holders of its roles at the case's school, by name."""
        if not roles:
            return []
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        found = await self.uow.members.with_roles(case.school_id, sorted(route.expand(roles)))
        return [(m.id, self.uow.members.name(m)) for m in found]

    def _member_roles(self, case: Case, step_id: str) -> tuple[str, ...]:
        step = self.route_engine.route_of_step(case, step_id).step(step_id)
        return tuple(sorted({r for f in step.fields if f.kind == "member" for r in f.roles}))

    async def render(
        self, case: Case | None, events: list[ev.Event], told: Sequence[Told] = ()
    ) -> list[Rendered]:
        out = [await self._one(case, event) for event in events if self._shown(case, event)]
        receipt = self.receipt(case, told)
        if receipt:
            # Under the first plain reply (the "Vastgelegd" line): no extra message for it.
            plain = next((i for i, (_, kb) in enumerate(out) if kb is None), None)
            if plain is None:
                out.insert(0, (receipt, None))
            else:
                out[plain] = (out[plain][0] + "\n" + receipt, None)
        return out

    def receipt(self, case: Case | None, told: Sequence[Told]) -> str:
        """Who was told and when: "intern begeleider hoort het morgen om 07:30 (stille uren)"."""
        zone = ZoneInfo(case.timezone) if case is not None else self.t.tz
        lines = []
        for item in told:
            who = role_names(self.t, item.roles)
            if not item.quiet:
                lines.append(self.t("receipt.told_now", who=who))
                continue
            local, today = item.at.astimezone(zone), self.now.astimezone(zone).date()
            time = local.strftime("%H:%M")
            if local.date() == today:
                when = self.t("receipt.today_at", time=time)
            elif (local.date() - today).days == 1:
                when = self.t("receipt.tomorrow_at", time=time)
            else:
                day = format_date(local.date(), format="EEEE d MMMM", locale=self.t.locale)
                when = self.t("receipt.day_at", day=day, time=time)
            lines.append(self.t("receipt.told_later", who=who, when=when))
        return "\n".join(lines)

    async def after_press(
        self, case: Case, member_id: int, step_id: str, events: list[ev.Event], told: Sequence[Told] = ()
    ) -> tuple[Rendered, list[Rendered]]:
        """A press on a question of `step_id` went through: the pressed message, edited to show the
        step's answers so far and, when the step goes on, its next question or summary (one message per
        step); then what follows as new messages."""
        route = self.route_engine.route_of_step(case, step_id)
        values = answers_of(route, case, member_id, step_id)
        names = dict(await self.candidates(case, self._member_roles(case, step_id))) if values else {}
        # Minimal-content chat keeps answers out of Telegram: the edited question shows none of them.
        answered = "" if self.minimal else render_answered(self.t, values, names)
        shown = [e for e in events if self._shown(case, e)]
        first = shown[0] if shown else None
        if isinstance(first, ev.Prompt | ev.Summary) and first.step == step_id:
            return await self._one(case, first, answered), await self.render(case, shown[1:], told)
        edited = (header(self.t, case, self.step_title(case, step_id)) + answered).rstrip("\n")
        return (edited, None), await self.render(case, shown, told)

    @staticmethod
    def _shown(case: Case | None, event: ev.Event) -> bool:
        if isinstance(event, ev.Prompt | ev.Summary):
            return case is not None
        return isinstance(event, ev.Say | ev.Refused)

    async def _one(self, case: Case | None, event: ev.Event, answered: str = "") -> Rendered:
        if isinstance(event, ev.Prompt) and case is not None and self.app_url is not None:
            return step_in_app(self.t, case, event.step, self.step_title(case, event.step), self.app_url)
        if isinstance(event, ev.Prompt) and case is not None:
            pupils = []
            if event.kind == "pupil":
                pupils = await self.uow.cases.recent_pupils(case.school_id, event.member)
            today = self.now.astimezone(ZoneInfo(case.timezone)).date()
            members = await self.candidates(case, event.roles) if event.kind == "member" else []
            title = self.step_title(case, event.step)
            return render_prompt(
                self.t, case, title, event, today=today, pupils=pupils, members=members, answered=answered
            )
        if isinstance(event, ev.Summary) and case is not None and self.minimal:
            return minimal_summary(self.t, case, self.step_title(case, event.step), event)
        if isinstance(event, ev.Summary) and case is not None:
            names = dict(await self.candidates(case, self._member_roles(case, event.step)))
            return render_summary(self.t, case, self.step_title(case, event.step), event, names)
        assert isinstance(event, ev.Say | ev.Refused)
        return render_reply(self.t, event), None
