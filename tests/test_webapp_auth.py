"""Who may open the Mini App: initData signed by Telegram for this bot, recent by the injected clock, of a
registered member. Anything else is 401 and writes nothing; a session ends when the member is removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.app import prepare
from bot.runner import build_webhook_app
from bot.services.audit import CLI, AuditTrail
from bot.services.offboarding import remove_member
from bot.settings import EMULATOR_TOKEN, Settings
from bot.webapp.auth import SESSION_COOKIE
from emulator.demo import start_demo
from emulator.server import start_emulator
from emulator.state import EmulatorState
from emulator.web_app import sign_init_data
from flows.clock import FrozenClock
from tests.harness import BotHarness
from tests.webapp_helpers import init_data, open_session, webapp_client

IB, STRANGER = 601, 699


async def _harness_with_ib(h: BotHarness) -> None:
    await h.register(IB, "ib", name="Ineke")


async def test_valid_init_data_opens_a_session(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _harness_with_ib(h)
        response = await client.post("/app/session", data={"init_data": init_data(IB, clock.now())})
        assert response.status == 200
        cookie = response.cookies[SESSION_COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/app/"
        assert (await client.get("/app/lists")).status == 200


async def test_forged_stale_or_unknown_init_data_is_refused_and_stores_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _harness_with_ib(h)
        before = await h.row_counts()
        now = clock.now()
        wrong_token = init_data(IB, now, token="1000000001:" + "x" * 30)
        stale = init_data(IB, now - timedelta(minutes=settings.webapp_auth_minutes, seconds=1))
        future = init_data(IB, now + timedelta(minutes=5))
        fields = dict(parse_qsl(init_data(STRANGER, now)))
        altered = urlencode({**dict(parse_qsl(init_data(IB, now))), "user": fields["user"]})
        unknown = init_data(STRANGER, now)
        for raw in (wrong_token, stale, future, altered, unknown, "", "hash=00"):
            assert await open_session(client, raw) == 401, raw
        assert client.session.cookie_jar.filter_cookies(client.make_url("/app/")) == {}
        assert (await client.get("/app/lists")).status == 401
        assert await h.row_counts() == before
        # Just inside the window still opens.
        fresh = init_data(IB, now - timedelta(minutes=settings.webapp_auth_minutes) + timedelta(seconds=1))
        assert await open_session(client, fresh) == 200


async def test_removed_member_is_refused_on_replay_and_in_an_open_session(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _harness_with_ib(h)
        raw = init_data(IB, clock.now())
        assert await open_session(client, raw) == 200
        member = await h.member(IB)
        assert member is not None
        async with h.uow() as uow:
            audit = AuditTrail(uow, h.clock, member=None, channel=CLI, via="test")
            await remove_member(uow, member.id, clock.now(), audit)
            await uow.commit()
        assert (await client.get("/app/lists")).status == 401  # the session he still holds
        assert await open_session(client, raw) == 401  # the same initData, replayed within its window


async def test_session_expires_by_the_injected_clock(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _harness_with_ib(h)
        assert await open_session(client, init_data(IB, clock.now())) == 200
        h.advance(timedelta(minutes=settings.webapp_session_minutes - 1))
        assert (await client.get("/app/lists")).status == 200
        h.advance(timedelta(minutes=2))
        assert (await client.get("/app/lists")).status == 401


async def test_a_forged_session_cookie_is_refused(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        await _harness_with_ib(h)
        member = await h.member(IB)
        assert member is not None
        far = int((clock.now() + timedelta(days=1)).timestamp())
        client.session.cookie_jar.update_cookies({SESSION_COOKIE: f"{member.id}.{IB}.{far}.{'0' * 64}"})
        assert (await client.get("/app/lists")).status == 401


async def test_the_webhook_server_serves_the_mini_app_with_security_headers(settings: Settings) -> None:
    async with await start_emulator(EmulatorState(), "127.0.0.1", 0) as emulator:
        configured = settings.model_copy(
            update={
                "telegram_bot_token": "123456:" + "W" * 35,
                "webhook_secret": "s3cret",
                "telegram_api_base": emulator.base_url,
            }
        )
        runtime = await prepare(configured)
        try:
            async with TestClient(TestServer(build_webhook_app(runtime))) as client:
                shell = await client.get("/app/")
                assert shell.status == 200
                csp = shell.headers["Content-Security-Policy"]
                assert "script-src 'self' https://telegram.org;" in csp and "unsafe-inline" not in csp
                assert shell.headers["X-Content-Type-Options"] == "nosniff"
                page = await shell.text()
                assert '<script src="https://telegram.org/js/telegram-web-app.js"></script>' in page
                refused = await client.get("/app/lists")
                assert refused.status == 401 and "Content-Security-Policy" in refused.headers
        finally:
            await runtime.close()


async def test_the_demo_serves_the_mini_app_on_the_emulators_server(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        secret_key="test-secret-key",
        data_dir=tmp_path / "data",
        emulator_port=0,
    )
    demo = await start_demo(settings, base_clock=clock)
    try:
        base = demo.emulator.base_url
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:  # 127.0.0.1: an IP host
            shell = await http.get(f"{base}/app/")
            assert shell.status == 200
            assert '<script src="/app/static/telegram-web-app.js"></script>' in await shell.text()
            assert "script-src 'self';" in shell.headers["Content-Security-Policy"]  # no third party
            stand_in = await http.get(f"{base}/app/static/telegram-web-app.js")
            assert stand_in.status == 200 and "tgWebAppData" in await stand_in.text()
            member = demo.roster[0].user_id
            # The address the page opens in a member's pane: the Mini App, signed with the demo's token.
            launch = await (await http.get(f"{base}/control/mini_app/{member}?ref=Z-0001")).json()
            url, fragment = launch["url"].split("#", 1)
            assert url == f"{base}/app/?ref=Z-0001"
            raw = dict(parse_qsl(fragment))["tgWebAppData"]
            assert raw == sign_init_data(EMULATOR_TOKEN, member, demo.clock.now())
            opened = await http.post(f"{base}/app/session", data={"init_data": raw})
            assert opened.status == 200
            assert (await http.get(f"{base}/app/lists")).status == 200
    finally:
        await demo.close()
