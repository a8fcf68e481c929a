"""The Mini App's handlers and where they are mounted: on the webhook server (bot/runner.py) or, in
emulator mode, behind the emulator's /app door (emulator/server.py).

    GET  /app/          the shell: Telegram's script hands over initData, app.js opens a session
    POST /app/session   initData → session cookie (401 and nothing stored unless valid and a member)
    GET  /app/case      ?ref=  the dossier, read through CaseReader (policy checked, read audited)
    GET  /app/lists     what waits for me (/mijn) and the VOT list (/lijst)
    GET  /app/signals   the open signals I may see and my own signals with where they are (/signalen)
    GET  /app/step      ?ref=&step=  the step's form on one screen
    POST /app/step      the answers, through the name guard and the engine → the summary to confirm
    POST /app/confirm   submit the step, as the chat's Confirm button does
    GET  /app/signal    ?school=  the route's start step (a new signal) on one screen
    POST /app/signal    the answers → a new case with its draft → the summary to confirm
    POST /app/action    a case action from the dossier (one that alerts others asks first)
    GET  /app/static/…  app.js, app.css, and the emulator's stand-in for telegram-web-app.js

Every page request checks the session (signature, expiry) and loads the member again."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiogram.utils.i18n import I18n
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import LANGUAGES, N_, role_names
from bot.render.text import Translator
from bot.services.actors import actor_at
from bot.services.audit import WEBAPP, AuditTrail
from bot.services.cases import CaseService, EventLog
from bot.services.name_guard import NameGuard
from bot.services.notify import TELEGRAM_ONLY
from bot.services.reads import CaseReader
from bot.services.school_routes import starting_schools
from bot.settings import Settings
from bot.webapp import forms, pages
from bot.webapp.auth import SESSION_COOKIE, SessionTokens, member_of, parse_init_data
from bot.webapp.headers import TELEGRAM_SCRIPT, secure
from bot.webapp.steps import fill_step
from flows import events as ev
from flows import inputs as inp
from flows.case import Case
from flows.clock import Clock, IdSource, RandomIds
from flows.engine import SUBMITTED, RouteEngine
from flows.policy import can_act
from flows.route import Field, Route
from storage.models import Member
from storage.uow import UnitOfWork

if TYPE_CHECKING:  # bot.app builds the dispatcher, which will link to the Mini App
    from bot.app import Runtime

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
STAND_IN = "/app/static/telegram-web-app.js"  # the emulator's local telegram-web-app.js
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css"}
UNAUTHORIZED = N_("webapp.unauthorized")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class WebApp:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    route_engine: RouteEngine
    i18n: I18n
    clock: Clock
    bot_token: str
    telegram_script: str = TELEGRAM_SCRIPT  # STAND_IN in emulator mode
    # For the step forms: what CaseService needs beside the above, the name guard, and the outbox's wake-up.
    ids: IdSource = field(default_factory=RandomIds)
    channels: Collection[str] = TELEGRAM_ONLY
    name_guard: NameGuard | None = None
    event_log: EventLog | None = None
    wake_outbox: Callable[[], None] = lambda: None  # once notifications were committed

    def __post_init__(self) -> None:
        self.tokens = SessionTokens(self.bot_token, timedelta(minutes=self.settings.webapp_session_minutes))

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("GET", "/app/"): self.shell,
            ("POST", "/app/session"): self.open_session,
            ("GET", "/app/case"): self.case,
            ("GET", "/app/lists"): self.lists,
            ("GET", "/app/signals"): self.signals,
            ("GET", "/app/step"): self.step_form,
            ("POST", "/app/step"): self.step_answers,
            ("POST", "/app/confirm"): self.confirm,
            ("GET", "/app/signal"): self.signal_form,
            ("POST", "/app/signal"): self.signal_answers,
            ("POST", "/app/action"): self.action,
            ("GET", "/app/static/app.js"): self.static,
            ("GET", "/app/static/app.css"): self.static,
            ("GET", STAND_IN): self.static,
        }

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """One entry for a server that mounts the Mini App behind a single route (the emulator)."""
        handler = self.routes().get((request.method, request.path))
        if handler is None:
            return self._secured(web.Response(status=404, text="Not Found"))
        return await handler(request)

    # -- pages -----------------------------------------------------------------------------
    async def shell(self, request: web.Request) -> web.StreamResponse:
        t = self._t(None)
        refused, opening = html.escape(t.raw(UNAUTHORIZED), quote=True), t("webapp.opening")
        body = f'<p id="status" aria-live="polite" data-refused="{refused}">{opening}</p>'
        page = pages.layout("Zorgroute", body, t=t, telegram_script=self.telegram_script)
        return self._html(page)

    async def open_session(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        raw = form.get("init_data")
        if not isinstance(raw, str) or len(raw) > 4096:
            return self._refused()
        max_age = timedelta(minutes=self.settings.webapp_auth_minutes)
        data = parse_init_data(self.bot_token, raw, self.clock.now(), max_age)
        if data is None or data.user is None:
            return self._refused()
        async with UnitOfWork(self.sessionmaker) as uow:  # reads only: nothing is stored
            member = await member_of(uow, data.user.id)
            token = self.tokens.issue(member, self.clock.now()) if member is not None else None
        if token is None:
            return self._refused()
        response = self._secured(web.json_response({"ok": True}))
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(self.tokens.lifetime.total_seconds()),
            path="/app/",
            httponly=True,
            secure=request.secure or None,
            samesite="Strict",
        )
        return response

    async def case(self, request: web.Request) -> web.StreamResponse:
        ref = request.query.get("ref", "")[:32]
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            reader = CaseReader(uow, self.route_engine, self._audit(uow, member, "webapp:case"))
            seen = await reader.one(member, ref)
            if isinstance(seen, str):
                page = pages.layout(
                    "Zorgroute",
                    pages.message(t, seen),
                    t=t,
                    telegram_script=None,
                    back="/app/lists",
                )
                return self._html(page, status=404)
            school = await uow.schools.get(seen.case.school_id)
            name, naming = (school.name, school.naming) if school else ("", None)
            names = {}
            for member_id in sorted({p.member_id for p in seen.case.participants}):
                found = await uow.members.get(member_id)
                if found is not None:
                    names[member_id] = uow.members.name(found)
            body = pages.dossier(t, seen, name, naming, names)
            await uow.commit()  # the read is audited, as in chat
        page = pages.layout(seen.case.ref, body, t=t, telegram_script=None, back="/app/lists")
        return self._html(page)

    async def lists(self, request: web.Request) -> web.StreamResponse:
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            reader = CaseReader(uow, self.route_engine, self._audit(uow, member, "webapp:lists"))
            body = (
                pages.lists_nav(t, "/app/lists")
                + pages.case_list(t, N_("list.mine"), N_("list.mine_empty"), await reader.waiting_for(member))
                + pages.case_list(t, N_("list.vot"), N_("list.vot_empty"), await reader.vot_list(member))
            )
            await uow.commit()
        return self._html(pages.layout("Zorgroute", body, t=t, telegram_script=None))

    async def signals(self, request: web.Request) -> web.StreamResponse:
        """The chat's /signalen (the open signals the policy lets me see), and, as /mijn adds it, the
        signals I made with the step each one is at; every case listed is an audited read."""
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            reader = CaseReader(uow, self.route_engine, self._audit(uow, member, "webapp:signals"))
            body = pages.lists_nav(t, "/app/signals")
            own = await reader.my_signals(member)
            if own:
                body += pages.case_list(t, N_("list.my_signals"), N_("list.my_signals"), own)
            visible = await reader.visible(member)
            body += pages.case_list(t, N_("list.signals"), N_("list.signals_empty"), visible)
            await uow.commit()
        return self._html(pages.layout("Zorgroute", body, t=t, telegram_script=None))

    async def step_form(self, request: web.Request) -> web.StreamResponse:
        ref, step_id = request.query.get("ref", "")[:32], request.query.get("step", "")[:64]
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            found = await self._workable(uow, member, ref, step_id)
            if found is None:
                return self._not_found(t)
            case, route = found
            candidates = await self._candidates(uow, case.school_id, route, step_id)
            body = forms.step_form(t, route, case, step_id, {}, candidates)
        return self._html(pages.layout(case.ref, body, t=t, telegram_script=None, back=_back(ref)))

    async def step_answers(self, request: web.Request) -> web.StreamResponse:
        if not _same_origin(request):
            return self._secured(web.Response(status=403, text="Forbidden"))
        form = await request.post()
        ref, step_id = str(form.get("ref", ""))[:32], str(form.get("step", ""))[:64]
        given = {k: [str(v)[:4000] for v in form.getall(k)] for k in form if k not in ("ref", "step")}
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            found = await self._workable(uow, member, ref, step_id)
            if found is None:
                return self._not_found(t)
            case, route = found
            candidates = await self._candidates(uow, case.school_id, route, step_id)
            error = await self._guard(t, route.step(step_id).fields, given, candidates)
            outcome = None
            if not error:
                outcome = await fill_step(self._cases(uow, member), member, route, ref, step_id, given)
                refused = next((e for e in outcome.events if isinstance(e, ev.Refused)), None)
                error = t(refused.message, **refused.params) if refused else ""
            summary = (
                next((e for e in outcome.events if isinstance(e, ev.Summary)), None) if outcome else None
            )
            if not error and outcome is not None and _was_submitted(outcome.events):
                # A step without a summary (confirm: false) is submitted with its last answer.
                return await self._submitted(uow, ref)
            if error or summary is None or outcome is None or outcome.case is None:
                # Nothing is committed: the form comes back with the answers and what was wrong.
                body = forms.step_form(
                    t, route, case, step_id, given, candidates, error or t("input.required")
                )
                page = pages.layout(case.ref, body, t=t, telegram_script=None, back=_back(ref))
                return self._html(page, status=422)
            names = {m: n for pairs in candidates.values() for m, n in pairs}
            title = route.step(step_id).title
            body = forms.summary_page(t, outcome.case, title, summary, names)
            await uow.commit()
        return self._html(pages.layout(case.ref, body, t=t, telegram_script=None, back=_back(ref)))

    async def confirm(self, request: web.Request) -> web.StreamResponse:
        if not _same_origin(request):
            return self._secured(web.Response(status=403, text="Forbidden"))
        form = await request.post()
        ref, step_id = str(form.get("ref", ""))[:32], str(form.get("step", ""))[:64]
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            outcome = await self._cases(uow, member).advance(member, ref, inp.Confirm(step_id))
            refused = next((e for e in outcome.events if isinstance(e, ev.Refused)), None)
            if refused is not None:
                return self._conflict(t, t(refused.message, **refused.params), ref)
            return await self._submitted(uow, ref)

    async def signal_form(self, request: web.Request) -> web.StreamResponse:
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            schools = await starting_schools(member, uow, self.route_engine)
            chosen = [s for s in schools if str(s[0]) == request.query.get("school", "")[:16]]
            if not schools:
                return self._conflict(t, t("access.wrong_role"), "", status=403)
            if len(schools) > 1 and not chosen:  # which school: as the chat's /signaal asks
                body = pages.school_choice(t, [(sid, name) for sid, name, _ in schools])
                return self._html(
                    pages.layout("Zorgroute", body, t=t, telegram_script=None, back="/app/lists")
                )
            school_id, name, route_id = (chosen or schools)[0]
            route = self.route_engine.routes.latest(route_id)
            candidates = await self._candidates(uow, school_id, route, route.start.step)
            body = forms.signal_form(t, route, (school_id, name), {}, candidates)
        return self._html(pages.layout("Zorgroute", body, t=t, telegram_script=None, back="/app/lists"))

    async def signal_answers(self, request: web.Request) -> web.StreamResponse:
        """A new case, its start step filled in one go: nothing is stored unless every answer holds, and
        then only the case with the teacher's draft, until they confirm the summary (as in chat)."""
        if not _same_origin(request):
            return self._secured(web.Response(status=403, text="Forbidden"))
        form = await request.post()
        given = {k: [str(v)[:4000] for v in form.getall(k)] for k in form if k != "school"}
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            schools = await starting_schools(member, uow, self.route_engine)
            chosen = [s for s in schools if str(s[0]) == str(form.get("school", ""))[:16]]
            if not chosen:
                return self._conflict(t, t("access.wrong_role"), "", status=403)
            school_id, name, route_id = chosen[0]
            route = self.route_engine.routes.latest(route_id)
            step_id = route.start.step
            candidates = await self._candidates(uow, school_id, route, step_id)
            error = await self._guard(t, route.step(step_id).fields, given, candidates)
            outcome = None
            if not error:
                cases = self._cases(uow, member, "webapp:signal")
                started = await cases.start(member, school_id, route_id)
                outcome = started
                if not started.refused and started.case is not None:
                    outcome = await fill_step(cases, member, route, started.case.ref, step_id, given)
                refused = next((e for e in outcome.events if isinstance(e, ev.Refused)), None)
                error = t(refused.message, **refused.params) if refused else ""
            summary = (
                next((e for e in outcome.events if isinstance(e, ev.Summary)), None) if outcome else None
            )
            if (
                not error
                and outcome is not None
                and outcome.case is not None
                and _was_submitted(outcome.events)
            ):
                return await self._submitted(uow, outcome.case.ref)
            if error or summary is None or outcome is None or outcome.case is None:
                body = forms.signal_form(
                    t, route, (school_id, name), given, candidates, error or t("input.required")
                )
                page = pages.layout("Zorgroute", body, t=t, telegram_script=None, back="/app/lists")
                return self._html(page, status=422)
            names = {m: n for pairs in candidates.values() for m, n in pairs}
            body = forms.summary_page(t, outcome.case, route.step(step_id).title, summary, names)
            ref = outcome.case.ref
            await uow.commit()
        return self._html(pages.layout(ref, body, t=t, telegram_script=None, back="/app/lists"))

    async def action(self, request: web.Request) -> web.StreamResponse:
        """A case action from the dossier, through the engine as the chat's button: one that alerts
        others first shows who will be told and waits for a second post with `sure`."""
        if not _same_origin(request):
            return self._secured(web.Response(status=403, text="Forbidden"))
        form = await request.post()
        ref, step_id = str(form.get("ref", ""))[:32], str(form.get("step", ""))[:64]
        action_id, sure = str(form.get("action", ""))[:64], form.get("sure") == "1"
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            case = await uow.cases.get(ref) if ref else None
            cases = self._cases(uow, member, "webapp:action")
            if case is None or not cases.may_view(member, case):
                return self._not_found(t)
            alerts = await cases.alerts(member, ref, action_id, step_id)
            if alerts and not sure:  # it alerts others: asked first, nothing changes until the yes
                route = self.route_engine.routes.get(case.route_id, case.route_version)
                body = pages.action_confirm(t, case, route, step_id, action_id, role_names(t, alerts))
                return self._html(pages.layout(case.ref, body, t=t, telegram_script=None, back=_back(ref)))
            outcome = await cases.advance(member, ref, inp.DoAction(action_id, step_id))
            refused = next((e for e in outcome.events if isinstance(e, ev.Refused)), None)
            if refused is not None:
                await uow.commit()  # the refusal is audited, as in chat
                return self._conflict(t, t(refused.message, **refused.params), ref)
            said = [t(e.message, **e.params) for e in outcome.events if isinstance(e, ev.Say)]
            if not said:
                return await self._submitted(uow, ref)
            queued = uow.queued_notifications
            await uow.commit()
        if queued:
            self.wake_outbox()
        body = "".join(pages.message_text(line) for line in said) + pages.to_case(t, ref)
        return self._html(pages.layout(ref, body, t=t, telegram_script=None, back=_back(ref)))

    async def static(self, request: web.Request) -> web.StreamResponse:
        path = STATIC_DIR / Path(request.path).name
        content_type = _STATIC_TYPES[path.suffix]
        return self._secured(web.Response(body=path.read_bytes(), content_type=content_type))

    # -- helpers ---------------------------------------------------------------------------
    async def _workable(
        self, uow: UnitOfWork, member: Member, ref: str, step_id: str
    ) -> tuple[Case, Route] | None:
        """The case and route if `member` may work on `step_id` now (the policy's can_act), else None."""
        case = await uow.cases.get(ref.strip().upper()) if ref.strip() else None
        if case is None:
            return None
        route = self.route_engine.routes.get(case.route_id, case.route_version)
        if step_id not in route.steps or step_id != case.step:
            return None
        return (case, route) if can_act(actor_at(member, case.school_id), case, route, step_id) else None

    async def _submitted(self, uow: UnitOfWork, ref: str) -> web.StreamResponse:
        """Commit what the engine did, send its notifications, and go back to the case's dossier."""
        queued = uow.queued_notifications
        await uow.commit()
        if queued:
            self.wake_outbox()  # the notifications were committed with the step: send them now
        raise web.HTTPSeeOther(pages.case_href(ref))

    def _conflict(self, t: Translator, text: str, ref: str, status: int = 409) -> web.StreamResponse:
        page = pages.layout("Zorgroute", pages.message_text(text), t=t, telegram_script=None, back=_back(ref))
        return self._html(page, status=status)

    async def _candidates(
        self, uow: UnitOfWork, school_id: int, route: Route, step_id: str
    ) -> dict[str, list[tuple[int, str]]]:
        """Per member field: who may be picked (the school's holders of its roles), by name."""
        out: dict[str, list[tuple[int, str]]] = {}
        for one in route.step(step_id).fields:
            if one.kind == "member":
                found = await uow.members.with_roles(school_id, sorted(route.expand(one.roles)))
                out[one.id] = [(m.id, uow.members.name(m)) for m in found]
        return out

    async def _guard(
        self,
        t: Translator,
        fields: Sequence[Field],
        given: dict[str, list[str]],
        candidates: dict[str, list[tuple[int, str]]],
    ) -> str:
        """The name guard on every free-text answer (a finding comes back redacted, to use or rewrite),
        and member picks only among those offered — as the chat checks them."""
        for one in fields:
            values = given.get(one.id, [])
            if one.kind == "member" and not set(values) <= {str(m) for m, _ in candidates.get(one.id, [])}:
                return t("input.use_buttons")
            if one.kind == "text" and values and values[0].strip() and self.name_guard is not None:
                found = await self.name_guard.check(values[0])
                if found is not None:
                    given[one.id] = [found.text]
                    return t("webapp.names_found")
        return ""

    def _cases(self, uow: UnitOfWork, member: Member, via: str = "webapp:step") -> CaseService:
        audit = self._audit(uow, member, via)
        return CaseService(
            uow,
            self.route_engine,
            self.clock,
            self.ids,
            self.settings.timezone,
            self.event_log,
            channels=self.channels,
            audit=audit,
        )

    def _not_found(self, t: Translator) -> web.StreamResponse:
        body = pages.message(t, "access.not_found")
        page = pages.layout("Zorgroute", body, t=t, telegram_script=None, back="/app/lists")
        return self._html(page, status=404)

    async def _member(self, request: web.Request, uow: UnitOfWork) -> Member | None:
        session = self.tokens.check(request.cookies.get(SESSION_COOKIE, ""), self.clock.now())
        if session is None:
            return None
        return await member_of(uow, session.telegram_user_id, session.member_id)

    def _audit(self, uow: UnitOfWork, member: Member, via: str) -> AuditTrail:
        return AuditTrail(uow, self.clock, member=member, channel=WEBAPP, via=via)

    def _t(self, member: Member | None) -> Translator:
        language = getattr(member, "language", None)
        locale = language if language in LANGUAGES else self.settings.locale
        return Translator(self.i18n, locale, self.settings.timezone)

    def _refused(self) -> web.StreamResponse:
        t = self._t(None)
        page = pages.layout("Zorgroute", pages.message(t, UNAUTHORIZED), t=t, telegram_script=None)
        return self._html(page, status=401)

    def _html(self, page: str, status: int = 200) -> web.StreamResponse:
        return self._secured(web.Response(text=page, status=status, content_type="text/html"))

    def _secured(self, response: web.StreamResponse) -> web.StreamResponse:
        return secure(response, telegram_script=self.telegram_script == TELEGRAM_SCRIPT)


def _back(ref: str) -> str:
    return pages.case_href(ref) if ref else "/app/lists"


def _was_submitted(events: Sequence[ev.Event]) -> bool:
    """The step was submitted (a step without confirm: at its last answer)."""
    return any(isinstance(e, ev.Say) and e.message == SUBMITTED for e in events)


def _same_origin(request: web.Request) -> bool:
    """A form post from our own page (the session cookie is SameSite=Strict as well)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def webapp_for(runtime: Runtime, *, telegram_script: str = TELEGRAM_SCRIPT) -> WebApp:
    """The Mini App over a running bot's database, routes, catalogs, clock and token."""
    return WebApp(
        settings=runtime.settings,
        sessionmaker=runtime.sessionmaker,
        route_engine=runtime.route_engine,
        i18n=runtime.i18n,
        clock=runtime.dp["clock"],
        bot_token=runtime.bot.token,
        telegram_script=telegram_script,
        ids=runtime.dp["ids"],
        channels=runtime.outbox.channels,
        name_guard=runtime.dp["name_guard"],
        event_log=runtime.event_log,
        wake_outbox=runtime.outbox.kick,
    )


def mount_webapp(app: web.Application, webapp: WebApp) -> None:
    """Add the Mini App's routes to a server that is still being built (the webhook server)."""
    for (method, path), handler in webapp.routes().items():
        app.router.add_route(method, path, handler)
