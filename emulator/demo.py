"""The demo world behind `zorgroute demo` (`make run`): a demo school per shipped route, one member per
role the route uses, and the emulator's page wired to the real bot (roster, clock, e-mail/WhatsApp pane).

Only `zorgroute demo` (emulator/run.py) calls `start_demo`, always on `demo_settings`: a SQLite file and
keys of their own under the data folder's `demo/`. `zorgroute run` refuses to start without a token, so
no demo school or member ever reaches a production database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Runtime, prepare
from bot.follow_ups.calendars import school_calendar
from bot.i18n import make_i18n, role_msgid
from bot.outbox.capture import Recorder
from bot.render.text import Translator
from bot.settings import EMULATOR_TOKEN, TELEGRAM_API_DEFAULT, Settings
from bot.webapp.routes import STAND_IN, webapp_for
from emulator import (
    ClockHandler,
    EmulatorState,
    HeldReader,
    Person,
    RunningEmulator,
    parse_step,
    start_emulator,
)
from emulator.web_app import launch_url, sign_init_data
from flows.calendar import SchoolCalendar
from flows.calendar.localtime import local_to_utc, local_wall_clock
from flows.clock import Clock, IdSource, OffsetClock, SystemClock
from flows.registry import RouteRegistry
from flows.roles import RoleId
from flows.route import Effect, Route
from storage.models import Member, School
from storage.uow import UnitOfWork

log = logging.getLogger("zorgroute")

# Demo members get Telegram ids far from real ones: 900000 + school id * 100 + n (n < 100).
DEMO_USER_BASE = 900_000
_BLOCK = 100

# Short place names for the school names ("Demo Vlaardingen (PO)"); a new route falls back to its id.
_PLACES = {
    "vlaardingen": "Vlaardingen",
    "rotterdam_po": "Rotterdam",
    "rotterdam_vo": "Rotterdam",
    "mvs_po": "MVS",
    "smwplus": "SMWplus",
    "meldcode": "Meldcode",
}

# Demo people are data (like names an admin types into an invite), not UI text: no catalog entry for the
# first names; the role beside each name is the catalog's, as the bot itself names the role.
# Each role has a first name per demo school, so every pane on the page has a name of its own.
_FIRST_NAMES: dict[RoleId, tuple[str, ...]] = {
    "leerkracht": ("Juf Anna", "Meester Bas", "Juf Carmen", "Meester Dirk", "Juf Esra", "Meester Finn"),
    "mentor": ("Meneer Tim", "Mevrouw Lieke", "Meneer Omar", "Mevrouw Iris", "Meneer Joost", "Mevrouw Sara"),
    "ib": ("Mark", "Ineke", "Samira", "Ruud", "Hanneke", "Koen"),
    "zorgcoordinator": ("Fatima", "Gert", "Marloes", "Hakan", "Wendy", "Pieter"),
    "directie": ("Ellen", "Hans", "Yvonne", "Karim", "Monique", "Frank"),
    "swv": ("Sanne", "Jeroen", "Aylin", "Bart", "Judith", "Niels"),
    "gs": ("Youssef", "Marieke", "Thijs", "Nadia", "Erik", "Petra"),
    "smw": ("Lotte", "Ahmed", "Femke", "Stijn", "Zeynep", "Rob"),
    "wijkteam": ("Kees", "Anouk", "Bilal", "Mirjam", "Sven", "Ilse"),
    "wijkteamleider": ("Ingrid", "Mohamed", "Carla", "Wouter", "Dewi", "Henk"),
    "jgc": ("Noor", "Jasper", "Leila", "Maarten", "Sophie", "Emre"),
    "jv": ("Daan", "Marit", "Rachid", "Esther", "Ties", "Yara"),
    "gedragswetenschapper": ("Eva", "Arjen", "Selin", "Michiel", "Roos", "Tom"),
    "leerplicht": ("Peter", "Saskia", "Jamal", "Linda", "Gijs", "Nicole"),
    "aandachtsfunctionaris": ("Wilma", "Orhan", "Jolanda", "Vincent", "Nina", "Ali"),
    "admin": ("Beheerder",),
}


# -- where the demo lives ------------------------------------------------------------------------------
DEMO_FOLDER = "demo"


def demo_settings(settings: Settings) -> Settings:
    """`settings` turned into the demo's: the database is `DATA_DIR/demo/zorgroute.db` and the keys live
    beside it, whatever ZORGROUTE_DATABASE_URL and the key variables say; no token (the emulator is the
    Telegram); no SMTP server or WhatsApp account (the page's outbox pane shows what would go out)."""
    folder = settings.data_dir / DEMO_FOLDER
    return settings.model_copy(
        update={
            "database_url": f"sqlite+aiosqlite:///{folder / 'zorgroute.db'}",
            "data_dir": folder,
            "secret_key": None,
            "data_key": None,
            "telegram_bot_token": None,
            "telegram_api_base": TELEGRAM_API_DEFAULT,
            "webhook_url": None,
            "webhook_secret": None,
            "smtp_host": None,
            "smtp_username": None,
            "smtp_password": None,
            "mail_from": None,
            "whatsapp_phone_number_id": None,
            "whatsapp_token": None,
            "whatsapp_app_secret": None,
            "whatsapp_verify_token": None,
        }
    )


# -- which school, which people ---------------------------------------------------------------------
def demo_school_name(route: Route) -> str:
    place = _PLACES.get(route.id, route.id)
    return f"Demo {place} ({route.school_kinds[0].upper()})"


def route_roles(route: Route) -> list[RoleId]:
    """Every role the route acts or notifies with, plus `directie`, in the order a case meets them
    (so the page shows the teacher first, then the IB-er, …)."""
    # Each step's first role first: the order a case meets them (a second starter, e.g. Vlaardingen's GS
    # for a family in their care, comes in where the route meets them anyway).
    roles: list[RoleId] = [route.start.roles[0], *(s.actors[0] for s in route.steps.values() if s.actors)]
    roles.extend(route.start.roles)
    for step in route.steps.values():
        roles.extend(step.actors)
    for action in route.actions.values():
        roles.extend(action.roles)
    for step in route.steps.values():
        roles.extend(_notified(step.on_enter))
        for transition in step.transitions:
            roles.extend(_notified(transition.effects))
        for follow_up in step.follow_ups:
            roles.extend(_notified(follow_up.effects))
    for action in route.actions.values():
        roles.extend(_notified(action.effects))
    roles.extend(route.vot)
    roles.append("directie")  # every school has one; the route's escalations end there
    return list(dict.fromkeys(roles))


def _notified(effects: Iterable[Effect]) -> list[RoleId]:
    return [role for e in effects if e.kind == "notify" for role in e.args.get("roles", ())]


def demo_display_name(role: RoleId, school_index: int, t: Translator) -> str:
    names = _FIRST_NAMES.get(role, (f"Demo {role}",))
    # "onderwijsspecialist (SWV)" inside the name's own brackets reads "onderwijsspecialist SWV".
    label = t.raw(role_msgid(role)).replace(" (", " ").replace(")", "")
    return f"{names[school_index % len(names)]} ({label})"


def _page_translator() -> Translator:
    """The page is Dutch: roles are named as the Dutch catalog names them."""
    return Translator(make_i18n("nl"), "nl")


# -- the demo's clock ----------------------------------------------------------------------------------
SCHOOL_OPENS = time(8, 30)
SCHOOL_CLOSES = time(17, 0)


def demo_start(now: datetime, calendar: SchoolCalendar) -> datetime:
    """When the demo's clock starts: `now` during school hours on a school day; otherwise 08:30 on the
    next school day of the school's calendar. Started in the evening or at a weekend, the bot would hold
    every notification for the quiet hours and the demo would seem to do nothing."""
    day, at = local_wall_clock(now, calendar.timezone)
    if calendar.is_school_day(day) and SCHOOL_OPENS <= at < SCHOOL_CLOSES:
        return now
    if not (calendar.is_school_day(day) and at < SCHOOL_OPENS):
        day = calendar.next_school_day(day + timedelta(days=1))
    return local_to_utc(day, SCHOOL_OPENS, calendar.timezone)


def _block(school_id: int) -> range:
    start = DEMO_USER_BASE + school_id * _BLOCK
    return range(start, start + _BLOCK)


# -- seeding -------------------------------------------------------------------------------------------
FIRST_ROUTE = "vlaardingen"


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession], registry: RouteRegistry, now: datetime
) -> list[Person]:
    """Make sure every shipped route has its demo school and members; returns the page's roster.

    Idempotent: a second `make run` (on the same data/demo/) finds the schools by name and route and the
    members by (school, role) inside the school's id block, and only adds what a new route file needs.
    """
    t = _page_translator()
    async with UnitOfWork(sessionmaker) as uow:
        roster: list[Person] = []
        # The index (stable per route) numbers the members; Vlaardingen comes first so the page opens on
        # the route the README walks through.
        numbered = sorted(enumerate(registry.current()), key=lambda pair: pair[1].id != FIRST_ROUTE)
        for index, route in numbered:
            school = await _demo_school(uow, route, now)
            members = await _demo_members(uow, school, route_roles(route), index, now, t)
            roster.extend(_person(member, school, uow.members.name(member), route, t) for member in members)
        await uow.commit()
    return roster


async def _demo_school(uow: UnitOfWork, route: Route, now: datetime) -> School:
    name = demo_school_name(route)
    for school in await uow.schools.list():
        if school.name == name and school.route_id == route.id:
            return school
    return await uow.schools.add(name=name, kind=route.school_kinds[0], route_id=route.id, now=now)


async def _demo_members(
    uow: UnitOfWork, school: School, roles: list[RoleId], school_index: int, now: datetime, t: Translator
) -> list[Member]:
    block = _block(school.id)
    # Only members in the school's demo block count: a real IB-er someone invited to the demo
    # school is not the demo's IB-er.
    present = [m for m in await uow.members.list(school_id=school.id) if m.telegram_user_id in block]
    by_role = {r.role: m for m in present for r in m.roles if r.school_id == school.id}
    for position, role in enumerate(roles, start=1):
        if role in by_role:
            continue
        member = await uow.members.add(
            telegram_user_id=await _free_id(uow, block, block.start + position),
            display_name=demo_display_name(role, school_index, t),
            language="nl",
            now=now,
        )
        await uow.members.add_roles(member, school.id, [role])
        by_role[role] = member
    return sorted(dict.fromkeys(by_role.values()), key=lambda m: m.telegram_user_id or 0)


async def _free_id(uow: UnitOfWork, block: range, wanted: int) -> int:
    # `wanted` keeps ids stable on a fresh database; when a changed route file reorders its roles the
    # id may be taken, so the next free one in the block is used instead.
    for candidate in (wanted, *block[1:]):
        if await uow.members.by_telegram_id(candidate) is None:
            return candidate
    raise RuntimeError(f"no free demo user id left in {block.start}..{block.stop - 1}")


def _person(member: Member, school: School, name: str, route: Route, t: Translator) -> Person:
    assert member.telegram_user_id is not None  # demo members are registered by construction
    roles = [r.role for r in member.roles if r.school_id == school.id]
    return Person(
        member.telegram_user_id,
        name,
        roles,
        school.name,
        member.language,
        role_names=[t.raw(role_msgid(role, school.naming)) for role in roles],
        starter=any(role in route.start.roles for role in roles),
    )


# -- wiring the page to the bot -----------------------------------------------------------------------
def demo_capture(state: EmulatorState) -> Recorder:
    """Where e-mail and WhatsApp deliveries go in the demo: the page's outbox pane, never the internet
    (`prepare()` hands it to the capture senders when no SMTP server or WhatsApp account is set)."""
    return state.record_external


def clock_handler(runtime: Runtime, clock: OffsetClock) -> ClockHandler:
    """The page's "+1 dag": move the bot's clock, fire what fell due, deliver it before answering (so
    the panes show the reminders right after the header moves)."""

    async def advance(step: str) -> dict[str, Any]:
        clock.advance(parse_step(step))
        fired = await runtime.follow_ups_due()
        await runtime.outbox.drain()
        return {"fired": fired}

    return advance


def held_reader(runtime: Runtime, clock: OffsetClock) -> HeldReader:
    """What the bot holds back for quiet hours, for the page's "wacht tot 07:30" marks."""

    async def held() -> list[dict[str, Any]]:
        async with UnitOfWork(runtime.sessionmaker) as uow:
            rows = await uow.outbox.waiting(clock.now())
            out = []
            for row in rows:
                member = await uow.members.get(row.member_id)
                if member is not None and member.telegram_user_id is not None:
                    out.append(
                        {
                            "to_user_id": member.telegram_user_id,
                            "channel": row.channel,
                            "due_at": row.due_at.isoformat(),
                        }
                    )
        return out

    return held


@dataclass
class Demo:
    """What `run_polling` holds in emulator mode; close() stops the bot and then the emulator."""

    runtime: Runtime
    emulator: RunningEmulator
    clock: OffsetClock
    roster: list[Person]

    async def close(self) -> None:
        await self.runtime.close()
        await self.emulator.close()


async def start_demo(
    settings: Settings, *, base_clock: Clock | None = None, ids: IdSource | None = None
) -> Demo:
    """The emulator with its page, the bot built against it on an offset clock, the demo seeded into
    `settings.database_url` (`zorgroute demo` passes `demo_settings(...)`; tests their own database).

    `base_clock` is real time unless a test fixes it; the page's clock buttons add to it."""
    if not settings.uses_emulator:
        raise RuntimeError("the demo runs only against the built-in emulator (TELEGRAM_BOT_TOKEN is set)")
    clock = OffsetClock(base_clock or SystemClock())
    state = EmulatorState(now=clock.now)  # message dates follow the same clock as the bot
    emulator = await start_emulator(state, settings.emulator_host, settings.emulator_port)
    runtime: Runtime | None = None
    if settings.webapp_url is None:
        # The Mini App is served by the emulator: web_app buttons (minimal-content chat) open it there.
        settings = settings.model_copy(update={"webapp_url": f"{emulator.base_url}/app/"})
    try:
        runtime = await prepare(
            settings,
            clock=clock,
            ids=ids,
            token=EMULATOR_TOKEN,
            api_base=emulator.base_url,
            record_external=demo_capture(state),
        )
        registry = runtime.route_engine.routes
        # Outside school hours, start on the next school morning (on the calendar of the route the page
        # opens on). The clock only moves forward: this is an advance like the page's buttons.
        first = registry.latest(FIRST_ROUTE)
        calendar = school_calendar(first.region, settings.timezone)
        now = clock.now()  # read once: the real clock moved on between two reads, and during school hours
        clock.advance(demo_start(now, calendar) - now)  # demo_start returns `now`, so that was a step back
        roster = await seed_demo(runtime.sessionmaker, registry, clock.now())
    except BaseException:
        if runtime is not None:
            await runtime.close()
        await emulator.close()
        raise
    state.set_roster(roster)
    state.set_clock_handler(clock_handler(runtime, clock))
    state.set_clock_reader(clock.now)
    state.set_held_reader(held_reader(runtime, clock))
    state.mini_app.handler = webapp_for(runtime, telegram_script=STAND_IN).dispatch
    state.mini_app.launcher = mini_app_launcher(emulator.base_url, clock)
    _log_demo(emulator.base_url, roster, settings.database_url)
    return Demo(runtime, emulator, clock, roster)


def mini_app_launcher(base_url: str, clock: Clock) -> Callable[[int, str, str], str]:
    """The address Telegram would open for a member: the Mini App, signed with the demo's token now."""

    def launch(user_id: int, ref: str, to: str = "") -> str:
        wanted = {k: v for k, v in (("ref", ref), ("to", to)) if v}
        query = f"?{urlencode(wanted)}" if wanted else ""
        return launch_url(f"{base_url}/app/{query}", sign_init_data(EMULATOR_TOKEN, user_id, clock.now()))

    return launch


def _log_demo(base_url: str, roster: list[Person], database_url: str) -> None:
    log.info("the demo: the bot talks to the built-in Bot API emulator, on %s", database_url)
    log.info("open %s in your browser: a chat pane per demo member, a clock to jump ahead", base_url)
    for school in dict.fromkeys(p.school for p in roster):
        people = ", ".join(p.name for p in roster if p.school == school)
        log.info("  %s: %s", school, people)
    log.info("control API for scripts: curl -s %s/ (usage)", base_url)
