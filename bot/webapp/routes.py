"""The Mini App's handlers and where they are mounted: on the webhook server (bot/runner.py) or, in
emulator mode, behind the emulator's /app door (emulator/server.py).

    GET  /app/          the shell: Telegram's script hands over initData, app.js opens a session
    POST /app/session   initData → session cookie (401 and nothing stored unless valid and a member)
    GET  /app/case      ?ref=  the dossier, read through CaseReader (policy checked, read audited)
    GET  /app/lists     what waits for me (/mijn) and the VOT list (/lijst)
    GET  /app/static/…  app.js, app.css, and the emulator's stand-in for telegram-web-app.js

Every page request checks the session (signature, expiry) and loads the member again."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from aiogram.utils.i18n import I18n
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import LANGUAGES, N_
from bot.render.text import Translator
from bot.services.audit import WEBAPP, AuditTrail
from bot.services.reads import CaseReader
from bot.settings import Settings
from bot.webapp import pages
from bot.webapp.auth import SESSION_COOKIE, SessionTokens, member_of, parse_init_data
from bot.webapp.headers import TELEGRAM_SCRIPT, secure
from flows.clock import Clock
from flows.engine import RouteEngine
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

    def __post_init__(self) -> None:
        self.tokens = SessionTokens(self.bot_token, timedelta(minutes=self.settings.webapp_session_minutes))

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {
            ("GET", "/app/"): self.shell,
            ("POST", "/app/session"): self.open_session,
            ("GET", "/app/case"): self.case,
            ("GET", "/app/lists"): self.lists,
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
        page = pages.layout("Zorgroute", body, lang=t.locale, telegram_script=self.telegram_script)
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
                    lang=t.locale,
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
        page = pages.layout(seen.case.ref, body, lang=t.locale, telegram_script=None, back="/app/lists")
        return self._html(page)

    async def lists(self, request: web.Request) -> web.StreamResponse:
        async with UnitOfWork(self.sessionmaker) as uow:
            member = await self._member(request, uow)
            if member is None:
                return self._refused()
            t = self._t(member)
            reader = CaseReader(uow, self.route_engine, self._audit(uow, member, "webapp:lists"))
            body = pages.case_list(
                t, N_("list.mine"), N_("list.mine_empty"), await reader.waiting_for(member)
            ) + pages.case_list(t, N_("list.vot"), N_("list.vot_empty"), await reader.vot_list(member))
            await uow.commit()
        return self._html(pages.layout("Zorgroute", body, lang=t.locale, telegram_script=None))

    async def static(self, request: web.Request) -> web.StreamResponse:
        path = STATIC_DIR / Path(request.path).name
        content_type = _STATIC_TYPES[path.suffix]
        return self._secured(web.Response(body=path.read_bytes(), content_type=content_type))

    # -- helpers ---------------------------------------------------------------------------
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
        page = pages.layout("Zorgroute", pages.message(t, UNAUTHORIZED), lang=t.locale, telegram_script=None)
        return self._html(page, status=401)

    def _html(self, page: str, status: int = 200) -> web.StreamResponse:
        return self._secured(web.Response(text=page, status=status, content_type="text/html"))

    def _secured(self, response: web.StreamResponse) -> web.StreamResponse:
        return secure(response, telegram_script=self.telegram_script == TELEGRAM_SCRIPT)


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
    )


def mount_webapp(app: web.Application, webapp: WebApp) -> None:
    """Add the Mini App's routes to a server that is still being built (the webhook server)."""
    for (method, path), handler in webapp.routes().items():
        app.router.add_route(method, path, handler)
