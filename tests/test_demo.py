"""The demo behind `zorgroute demo` (`make run`): seeded schools and members on a database of its own, the
page's wiring; and `zorgroute run`, which without a token refuses and seeds nothing."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import socket
import sqlite3
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.follow_ups.calendars import school_calendar
from bot.outbox.capture import CaptureSender
from bot.runner import StartupError, run_polling
from bot.settings import TELEGRAM_API_DEFAULT, Settings
from emulator import EmulatorState, start_emulator
from emulator.demo import DEMO_USER_BASE, demo_settings, demo_start, route_roles, seed_demo, start_demo
from flows.clock import FrozenClock
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.uow import UnitOfWork
from tests.cli import zorgroute, zorgroute_until_interrupted

REAL_LOOKING_TOKEN = "123456789:AAdemo-not-a-real-token-but-shaped-like-one"


Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[Sessions]:
    await upgrade(database_url)
    engine = create_engine(database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_seeding_twice_gives_the_same_members(sessionmaker: Sessions, clock: FrozenClock) -> None:
    registry = builtin_registry()
    first = await seed_demo(sessionmaker, registry, clock.now())
    second = await seed_demo(sessionmaker, registry, clock.now() + timedelta(days=1))

    assert first == second
    async with UnitOfWork(sessionmaker) as uow:
        assert len(await uow.schools.list()) == len(registry.ids())
        assert len(await uow.members.list()) == len(first)


async def test_every_route_has_a_school_and_a_member_for_every_role(
    sessionmaker: Sessions, clock: FrozenClock
) -> None:
    registry = builtin_registry()
    roster = await seed_demo(sessionmaker, registry, clock.now())

    async with UnitOfWork(sessionmaker) as uow:
        schools = {s.route_id: s for s in await uow.schools.list()}
    assert set(schools) == set(registry.ids())
    for route in registry.current():
        school = schools[route.id]
        assert school.kind in route.school_kinds
        assert school.name.startswith("Demo ")
        held = {role for person in roster if person.school == school.name for role in person.roles}
        acting = {r for step in route.steps.values() for r in step.actors} | set(route.start.roles)
        assert acting | set(route.vot) | {"directie"} <= held, route.id
        assert set(route_roles(route)) == held, route.id
    assert len({p.name for p in roster}) == len(roster), "two panes with the same name"
    assert all(p.language == "nl" for p in roster)


async def test_the_roster_is_what_the_database_holds(sessionmaker: Sessions, clock: FrozenClock) -> None:
    roster = await seed_demo(sessionmaker, builtin_registry(), clock.now())

    async with UnitOfWork(sessionmaker) as uow:
        names = {s.id: s.name for s in await uow.schools.list()}
        for person in roster:
            member = await uow.members.by_telegram_id(person.user_id)
            assert member is not None
            assert uow.members.name(member) == person.name
            school_id = (person.user_id - DEMO_USER_BASE) // 100
            assert names[school_id] == person.school
            assert [r.role for r in member.roles if r.school_id == school_id] == person.roles


def test_the_vlaardingen_panes_start_with_the_people_of_its_happy_path() -> None:
    # The page shows panes in roster order: teacher, IB-er and SWV-er must be the first ones.
    assert route_roles(builtin_registry().latest("vlaardingen"))[:3] == ["leerkracht", "ib", "swv"]


def _settings(database_url: str, tmp_path: Path, token: str | None, api_base: str | None = None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_bot_token=token,
        secret_key="test-secret-key",
        data_dir=tmp_path / "data",
        emulator_port=0,
        telegram_api_base=api_base or TELEGRAM_API_DEFAULT,
    )


async def test_the_demo_page_moves_the_bots_clock_and_keeps_deliveries(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    demo = await start_demo(_settings(database_url, tmp_path, None), base_clock=clock)
    try:
        state = demo.emulator.state
        assert state.roster() == demo.roster
        assert state.can_advance_clock

        result = await state.advance_clock("+1d")
        assert result["fired"] == 0  # nothing is due on a fresh database
        assert demo.clock.now() == clock.now() + timedelta(days=1)
        assert state.clock_now() == demo.clock.now()  # the page's header reads the bot's clock

        # No SMTP or WhatsApp account in the demo: both channels are captured into the page's outbox pane.
        email = demo.runtime.outbox.senders["email"]
        assert isinstance(email, CaptureSender) and isinstance(
            demo.runtime.outbox.senders["whatsapp"], CaptureSender
        )
        email.record("email", demo.roster[0].user_id, "x@demo.invalid", "Onderwerp", "Tekst", {})
        assert [d.subject for d in state.externals()] == ["Onderwerp"]
    finally:
        await demo.close()


async def test_with_a_token_the_demo_refuses(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="TELEGRAM_BOT_TOKEN"):
        await start_demo(_settings(database_url, tmp_path, REAL_LOOKING_TOKEN))


async def test_with_a_token_the_runner_seeds_nothing(database_url: str, tmp_path: Path) -> None:
    # A Bot API server that is not ours to seed: the runner must poll it as it would poll Telegram.
    state = EmulatorState()
    async with await start_emulator(state) as telegram:
        settings = _settings(database_url, tmp_path, REAL_LOOKING_TOKEN, telegram.base_url)
        running = asyncio.create_task(run_polling(settings))
        try:
            update = state.user_sends(4242, "/start")
            await state.wait_consumed(update["update_id"], timeout=30)  # the bot is up and polling
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        assert state.roster() == []

    engine = create_engine(database_url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            assert await uow.schools.list() == []
            assert await uow.members.list() == []
    finally:
        await engine.dispose()


# -- `zorgroute demo` and `zorgroute run` --------------------------------------------------------------
def test_the_demo_settings_keep_away_from_the_products_database_keys_and_channels(tmp_path: Path) -> None:
    product = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql+asyncpg://zorgroute@db.example/zorgroute",
        telegram_bot_token=REAL_LOOKING_TOKEN,
        secret_key="production-secret",
        data_key=Fernet.generate_key().decode(),
        data_dir=tmp_path / "data",
        smtp_host="smtp.example",
        mail_from="bot@example.nl",
    )
    demo = demo_settings(product)
    assert demo.database_url == f"sqlite+aiosqlite:///{tmp_path}/data/demo/zorgroute.db"
    assert demo.data_dir == tmp_path / "data" / "demo"
    assert (demo.secret_key, demo.data_key, demo.telegram_bot_token) == (None, None, None)
    assert demo.uses_emulator and not demo.mail_enabled and not demo.whatsapp_enabled
    assert product.database_url.startswith("postgresql")  # a copy: the product's settings are unchanged


async def test_run_without_a_token_refuses_in_one_line_and_seeds_nothing(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    result = await zorgroute("run", database_url=database_url, cwd=tmp_path, clock=clock)

    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "TELEGRAM_BOT_TOKEN" in line and "zorgroute demo" in line
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            assert await uow.schools.list() == []
            assert await uow.members.list() == []
    finally:
        await engine.dispose()
    assert not (tmp_path / "data" / "demo").exists()


async def test_the_runner_itself_refuses_without_a_token(database_url: str, tmp_path: Path) -> None:
    # For callers other than the CLI (which refuses before it imports the runner).
    with pytest.raises(StartupError, match="zorgroute demo"):
        await run_polling(_settings(database_url, tmp_path, None))
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(make_sessionmaker(engine)) as uow:
            assert await uow.members.list() == []
    finally:
        await engine.dispose()


async def test_run_without_a_token_leaves_the_database_file_as_it_was(
    tmp_path: Path, clock: FrozenClock
) -> None:
    database = tmp_path / "zorgroute.db"
    url = f"sqlite+aiosqlite:///{database}"
    assert (await zorgroute("db", "upgrade", database_url=url, cwd=tmp_path, clock=clock)).returncode == 0
    before = database.read_bytes()

    result = await zorgroute("run", database_url=url, cwd=tmp_path, clock=clock)

    assert result.returncode == 1
    assert database.read_bytes() == before
    listed = await zorgroute("member", "list", "--json", database_url=url, cwd=tmp_path, clock=clock)
    assert json.loads(listed.stdout) == []


def test_zorgroute_demo_serves_the_page_on_a_database_of_its_own(tmp_path: Path, clock: FrozenClock) -> None:
    """The real command, in-process, stopped with Ctrl-C (SIGINT). ZORGROUTE_DATABASE_URL and a token are
    set, as on a server where someone typed `zorgroute demo`: neither is used."""
    product = tmp_path / "product.db"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    seen: dict[str, Any] = {}

    def until_a_demo_member_gets_an_answer() -> None:
        page = _wait_for(lambda: _get(base + "/", accept="text/html"))
        assert "app.js" in page
        # The page answers first; the roster follows once the demo is seeded.
        seen["people"] = _wait_for(lambda: json.loads(_get(base + "/control/roster"))["people"])
        user_id = seen["people"][0]["user_id"]
        _post(base + "/control/send", {"user_id": user_id, "text": "/help"})
        seen["reply"] = _wait_for(
            lambda: json.loads(_get(f"{base}/control/chats/{user_id}/messages"))["messages"]
        )

    result = zorgroute_until_interrupted(
        "demo",
        database_url=f"sqlite+aiosqlite:///{product}",
        cwd=tmp_path,
        clock=clock,
        until=until_a_demo_member_gets_an_answer,
        TELEGRAM_BOT_TOKEN=REAL_LOOKING_TOKEN,
        ZORGROUTE_EMULATOR_PORT=str(port),
    )

    assert result.returncode == 0, result.stderr
    assert seen["reply"], "the bot answered the demo member"
    assert not product.exists()
    demo = tmp_path / "data" / "demo"
    assert {"zorgroute.db", "data.key", "secret.key"} <= {p.name for p in demo.iterdir()}
    with contextlib.closing(sqlite3.connect(demo / "zorgroute.db")) as db:
        [(members,)] = db.execute("SELECT count(*) FROM member").fetchall()
    assert members == len(seen["people"]) > 0


def test_the_product_never_imports_the_emulator_at_module_level() -> None:
    """bot/, flows/ and storage/ run without emulator/: only `zorgroute demo`, `emulator` and `simulate`
    import it, inside the command."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for package in ("bot", "flows", "storage"):
        for source in sorted((root / package).rglob("*.py")):
            for node in ast.parse(source.read_text(encoding="utf-8")).body:
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    else []
                )
                if any(name.split(".")[0] == "emulator" for name in names):
                    offenders.append(f"{source.relative_to(root)}:{node.lineno}")
    assert offenders == []


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, accept: str = "application/json") -> str:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=10).close()


def _wait_for(read: Callable[[], Any], seconds: float = 60) -> Any:
    """`read()` once it returns something truthy; connection errors count as "not yet"."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = read()
        except OSError:
            value = None
        if value or time.monotonic() > deadline:
            assert value, f"nothing after {seconds} s"
            return value
        time.sleep(0.2)


# -- the demo clock starts on a school morning ---------------------------------------------------------
_AMS = ZoneInfo("Europe/Amsterdam")


def _local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=_AMS).astimezone(UTC)


@pytest.mark.parametrize(
    ("started", "starts"),
    [
        # During school hours on a school day: the real time.
        (_local(2026, 11, 24, 10, 15), _local(2026, 11, 24, 10, 15)),
        # Early on a school day: that morning at 08:30.
        (_local(2026, 11, 24, 6, 0), _local(2026, 11, 24, 8, 30)),
        # In the evening (the 23:21): the next school morning.
        (_local(2026, 11, 24, 23, 21), _local(2026, 11, 25, 8, 30)),
        # Friday evening and the weekend: Monday.
        (_local(2026, 11, 27, 19, 0), _local(2026, 11, 30, 8, 30)),
        (_local(2026, 11, 29, 12, 0), _local(2026, 11, 30, 8, 30)),
        # In the kerstvakantie (Vlaardingen, regio zuid): the first school day after it.
        (_local(2026, 12, 23, 11, 0), _local(2027, 1, 4, 8, 30)),
    ],
)
def test_the_demo_clock_starts_on_a_school_morning(started: datetime, starts: datetime) -> None:
    calendar = school_calendar("vlaardingen", "Europe/Amsterdam")
    assert demo_start(started, calendar) == starts


class _Ticking(FrozenClock):
    """A clock that moves on a little at every read, as the machine's does."""

    def now(self) -> datetime:
        self.advance(timedelta(microseconds=50))
        return super().now()


async def test_a_demo_started_during_school_hours_starts_at_once(database_url: str, tmp_path: Path) -> None:
    """`make run` on a school day at 09:08 failed with "OffsetClock only moves forward": the start was
    worked out from one reading of the real clock and subtracted from a later one."""
    started = _local(2026, 12, 2, 9, 8)
    demo = await start_demo(_settings(database_url, tmp_path, None), base_clock=_Ticking(started))
    try:
        assert demo.clock.offset == timedelta(0)  # no jump: the demo runs from the real time
        assert started < demo.clock.now() < started + timedelta(seconds=5)
    finally:
        await demo.close()


async def test_a_demo_started_in_the_evening_opens_at_half_past_eight(
    database_url: str, tmp_path: Path
) -> None:
    demo = await start_demo(
        _settings(database_url, tmp_path, None), base_clock=FrozenClock(_local(2026, 11, 24, 23, 21))
    )
    try:
        assert demo.clock.now() == _local(2026, 11, 25, 8, 30)
        assert demo.emulator.state.clock_now() == demo.clock.now()
        ib = next(p for p in demo.roster if p.school == "Demo Vlaardingen (PO)" and "ib" in p.roles)
        assert ib.role_names == ["intern begeleider"] and not ib.starter
        juf = next(p for p in demo.roster if p.school == "Demo Vlaardingen (PO)" and "leerkracht" in p.roles)
        assert juf.starter
    finally:
        await demo.close()
