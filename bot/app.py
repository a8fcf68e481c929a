"""Factories for the bot, the dispatcher and the whole runtime. `zorgroute run` and the test harness
both build through `prepare()`, so tests exercise exactly what production runs."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    GetUpdates,
    Response,
    SendChatAction,
    SendDocument,
    SendMessage,
    SetMyCommands,
)
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.commands import common_commands
from bot.follow_ups.build import build_follow_ups
from bot.follow_ups.digest import DigestService
from bot.follow_ups.runner import FollowUpRunner
from bot.fsm import DatabaseStorage
from bot.i18n import LANGUAGES, MemberI18nMiddleware, make_i18n
from bot.middlewares.abuse import InputLimitMiddleware, RateLimitMiddleware
from bot.middlewares.cases import CaseServicesMiddleware
from bot.middlewares.lanes import ChatLanes, DatabaseSlots
from bot.middlewares.member import MemberMiddleware, StrangerGate
from bot.middlewares.replies import RepliesAfterCommit, install_reply_holding
from bot.middlewares.turns import ChatTurns
from bot.middlewares.uow import UnitOfWorkMiddleware
from bot.outbox.capture import Recorder
from bot.outbox.dispatcher import OutboxDispatcher
from bot.outbox.limiter import TelegramLimiter
from bot.outbox.wiring import build_senders
from bot.render.text import Translator
from bot.routers import build_root_router, unmodified
from bot.services.cases import EventLog
from bot.services.name_guard import NameGuard
from bot.services.secret import load_data_keys, load_secret_key
from bot.settings import EMULATOR_BOT_USERNAME, EMULATOR_TOKEN, TELEGRAM_API_DEFAULT, Settings
from flows.clock import Clock, IdSource, RandomIds, SystemClock
from flows.engine import RouteEngine
from flows.loader import parse_route
from flows.registry import RouteRegistry, builtin_registry
from flows.snapshot import case_snapshot
from storage.buckets import shared_buckets
from storage.crypto import FernetCipher
from storage.db import QUICK_READS_INFO, create_engine, make_sessionmaker
from storage.migrate import ensure_current
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

__all__ = ["EMULATOR_BOT_USERNAME", "EMULATOR_TOKEN", "Runtime", "build_bot", "build_dispatcher", "prepare"]

# aiogram reads every answer as Response[<the method's result type>]. pydantic keeps a parametrised generic
# only while something refers to it, so without these references every call rebuilt the model's schema
# (half a millisecond to tens of milliseconds under load, for every reply and every getUpdates).
_RESPONSE_TYPES = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        SendMessage,
        SendDocument,
        SendChatAction,
        EditMessageText,
        EditMessageReplyMarkup,
        AnswerCallbackQuery,
        DeleteMessage,
        GetUpdates,
        GetMe,
        SetMyCommands,
    )
)

# Updates working on the database at once: the pool (storage/db.py: 20 kept, 10 more at a peak) has room
# for them beside the rate-limit takes, the outbox and the scheduler.
DATABASE_SLOTS = 8


def build_bot(settings: Settings, *, token: str | None = None, api_base: str | None = None) -> Bot:
    """A Bot for `settings` (or an explicit token/base, as for the emulator). HTML parse mode."""
    token = token or settings.telegram_bot_token
    if token is None:
        raise ValueError("build_bot needs TELEGRAM_BOT_TOKEN or an explicit token")
    base = api_base or settings.telegram_api_base
    session = AiohttpSession()
    if base != TELEGRAM_API_DEFAULT:
        session = AiohttpSession(api=TelegramAPIServer.from_base(base))
    bot = Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    install_reply_holding(bot)  # an update's replies wait for its commit (bot/middlewares/replies.py)
    return bot


def build_dispatcher(
    *,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    ids: IdSource,
    i18n: I18n,
    route_engine: RouteEngine,
    outbox: OutboxDispatcher | None = None,
    event_log: EventLog | None = None,
    name_guard: NameGuard | None = None,
) -> Dispatcher:
    # aiogram's FSM over our database (bot/fsm.py). Its middleware is not put first, where aiogram puts it:
    # it is added below inside the unit of work, so state is read after the chat's previous update and
    # written with the update's own changes.
    dp = Dispatcher(
        storage=DatabaseStorage(sessionmaker),
        disable_fsm=True,
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
        ids=ids,
        i18n=i18n,
        route_engine=route_engine,
        outbox=outbox,
        event_log=event_log,
        # Checks free text for names; loads in the background (start_background), free text waits for it.
        name_guard=name_guard or NameGuard(),
        secret_key=load_secret_key(settings.secret_key, settings.data_dir),
    )
    # Middleware order: a flood is cut off before anything else (no database for it) -> one chat's updates
    # one after another -> replies held until the commit, then delivered with retries -> a bounded number
    # of updates on the database -> a unit of work per update -> the chat's turn across workers (and a
    # webhook update handled once) -> the dialogue state (FSMContext, StateFilter; read after the chat's turn
    # is taken) -> who is this -> their language -> strangers out -> oversized input out.
    dp.update.outer_middleware(RateLimitMiddleware(settings.rate_limit_burst, settings.rate_limit_seconds))
    dp.update.outer_middleware(ChatLanes())
    dp.update.outer_middleware(RepliesAfterCommit())
    dp.update.outer_middleware(DatabaseSlots(DATABASE_SLOTS))
    dp.update.outer_middleware(UnitOfWorkMiddleware(sessionmaker))
    dp.update.outer_middleware(ChatTurns())
    dp.update.outer_middleware(dp.fsm)
    member_events = (dp.message, dp.edited_message, dp.callback_query)
    for observer in member_events:
        observer.outer_middleware(MemberMiddleware())
    MemberI18nMiddleware(i18n, settings.locale, settings.timezone).setup(dp)
    for observer in member_events:
        observer.outer_middleware(StrangerGate())
    for observer in member_events:
        observer.outer_middleware(InputLimitMiddleware())
    for observer in member_events:
        observer.outer_middleware(CaseServicesMiddleware())
    dp.include_router(build_root_router())
    unmodified.register(dp)
    dp.startup.register(set_bot_commands)
    return dp


async def set_bot_commands(bot: Bot, i18n: I18n) -> None:
    """Telegram's command menu, per language; best effort (the bot works without it)."""
    try:
        for language in LANGUAGES:
            commands = [
                BotCommand(command=spec.name, description=Translator(i18n, language)(spec.description))
                for spec in common_commands()
                if spec.name != "start"
            ]
            await bot.set_my_commands(commands, language_code=language)
            if language == "nl":
                await bot.set_my_commands(commands)  # the default for every other language
    except TelegramAPIError as exc:
        log.warning("setMyCommands failed: %s", exc)


@dataclass
class Runtime:
    """Everything a running bot holds; close() releases it."""

    settings: Settings
    db_engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    bot: Bot
    dp: Dispatcher
    route_engine: RouteEngine
    outbox: OutboxDispatcher
    event_log: EventLog | None = None
    follow_ups: FollowUpRunner | None = None
    digests: DigestService | None = None

    async def close(self) -> None:
        self.outbox.stop()
        await self.outbox.close()
        limits = self.dp.workflow_data.get("shared_limits")
        if limits is not None:
            await limits.close()
        await self.bot.session.close()
        quick_reads = self.sessionmaker.kw["info"].get(QUICK_READS_INFO)
        if quick_reads is not None:
            quick_reads.close()
        await self.db_engine.dispose()

    async def follow_ups_due(self) -> int:
        """Fire the follow-ups that are due now (the scheduler's claim; transcripts and the demo clock
        call it after moving time)."""
        return 0 if self.follow_ups is None else await self.follow_ups.run_due()

    async def final_cases(self) -> list[dict[str, object]]:
        """Every case as plain data, for transcripts and golden files."""
        async with UnitOfWork(self.sessionmaker) as uow:
            return [case_snapshot(c) for c in await uow.cases.all()]


async def prepare(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: IdSource | None = None,
    token: str | None = None,
    api_base: str | None = None,
    migrate: bool = True,
    event_log: EventLog | None = None,
    record_external: Recorder | None = None,
) -> Runtime:
    """Migrate the database and build engine, bot and dispatcher for `settings`.

    `record_external` (demo mode: the emulator's `record_external`) captures e-mail and WhatsApp when no
    SMTP server or WhatsApp account is configured."""
    if migrate:
        await ensure_current(settings.database_url)
    db_engine = create_engine(settings.database_url)
    # Every unit of work on these sessions seals and opens with the data key (see storage.db).
    cipher = FernetCipher(load_data_keys(settings.data_key, settings.data_dir))
    sessionmaker = make_sessionmaker(db_engine, cipher)
    i18n = make_i18n(settings.locale)
    bot = build_bot(settings, token=token, api_base=api_base)
    clock = clock or SystemClock()
    route_engine = RouteEngine(await load_routes(sessionmaker))
    # Limits every worker shares: PostgreSQL, or Redis when configured (docs/deployment.md).
    buckets = shared_buckets(db_engine, redis_url=settings.redis_url, bot_id=str(bot.id))
    limiter = TelegramLimiter(shared=buckets)
    outbox = OutboxDispatcher(
        sessionmaker,
        build_senders(settings, bot, record_external=record_external, limiter=limiter),
        i18n,
        clock,
        route_engine.routes,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        timezone=settings.timezone,
    )
    dp = build_dispatcher(
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
        ids=ids or RandomIds(),
        i18n=i18n,
        route_engine=route_engine,
        outbox=outbox,
        event_log=event_log,
    )
    dp["shared_limits"] = buckets
    follow_ups, digests = build_follow_ups(
        settings, sessionmaker, route_engine, clock, ids or RandomIds(), outbox, event_log
    )
    return Runtime(
        settings=settings,
        db_engine=db_engine,
        sessionmaker=sessionmaker,
        i18n=i18n,
        bot=bot,
        dp=dp,
        route_engine=route_engine,
        outbox=outbox,
        event_log=event_log,
        follow_ups=follow_ups,
        digests=digests,
    )


async def load_routes(sessionmaker: async_sessionmaker[AsyncSession]) -> RouteRegistry:
    """The shipped route files, plus every older version a stored case still runs on."""
    registry = builtin_registry()
    async with UnitOfWork(sessionmaker) as uow:
        for route_id, version, definition in await uow.cases.stored_routes():
            if not registry.has(route_id, version):
                registry.add(parse_route(definition, f"stored route {route_id} v{version}"), definition)
    return registry
