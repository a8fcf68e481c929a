"""Invite-only registration through the emulator: /start <code>."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.settings import Settings
from flows.clock import FrozenClock
from storage.models import Invite, InviteAttempt
from tests.harness import BotHarness

INEKE = 1001
PIETER = 1002


async def test_valid_code_registers_with_roles_and_welcomes_in_dutch(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school("De Regenboog")
        code = await h.invite(school, "ib", "directie", name="Ineke de Vries")

        await h.send(INEKE, f"/start {code}", first_name="Ineke")

        [welcome] = h.received(INEKE)
        assert welcome.startswith("Welkom bij Zorgroute, Ineke de Vries!")
        assert "intern begeleider, directie bij De Regenboog" in welcome
        assert "/help" in welcome and "/signalen" in welcome  # what an IB-er can do
        member = await h.member(INEKE)
        assert member is not None and member.language == "nl"
        assert sorted((r.school_id, r.role) for r in member.roles) == [(school, "directie"), (school, "ib")]
        async with h.uow() as uow:
            [invite] = (await uow.session.scalars(select(Invite))).all()
        assert invite.used_by_member_id == member.id and invite.used_at == clock.now()
        assert invite.code_hash != code  # stored hashed


async def test_display_name_falls_back_to_telegram_first_name(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        code = await h.invite(await h.add_school(), "leerkracht")
        await h.send(PIETER, f"/start {code}", first_name="Pieter")
        assert h.last(PIETER).startswith("Welkom bij Zorgroute, Pieter!")


async def test_a_code_works_once(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        code = await h.invite(await h.add_school(), "leerkracht")
        await h.send(INEKE, f"/start {code}")
        await h.send(PIETER, f"/start {code}")

        assert h.received(PIETER) == [
            "Deze uitnodiging is al gebruikt. Een link werkt maar één keer; vraag je school om een nieuwe."
        ]
        assert await h.member(PIETER) is None
        assert (await h.row_counts())["member"] == 1


async def test_an_expired_code_is_refused(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        code = await h.invite(await h.add_school(), "mentor", expires_days=14)
        h.advance(timedelta(days=14, seconds=1))

        await h.send(INEKE, f"/start {code}")

        assert h.received(INEKE) == ["Deze uitnodiging is verlopen. Vraag je school om een nieuwe link."]
        assert await h.member(INEKE) is None


async def test_six_wrong_codes_are_throttled_for_an_hour(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        code = await h.invite(await h.add_school(), "ib")
        for attempt in range(5):
            await h.send(INEKE, f"/start wrong-code-{attempt}")
        assert (
            h.received(INEKE)
            == ["Deze uitnodigingscode ken ik niet. Controleer de link of vraag je school om een nieuwe."] * 5
        )

        await h.send(INEKE, "/start wrong-code-6")
        await h.send(INEKE, f"/start {code}")  # even the right code waits
        assert h.received(INEKE) == ["Te veel onjuiste codes. Probeer het over een uur opnieuw."] * 2
        assert await h.member(INEKE) is None

        async with h.uow() as uow:
            keys = {a.user_key for a in (await uow.session.scalars(select(InviteAttempt))).all()}
        assert len(keys) == 1 and str(INEKE) not in next(iter(keys))  # an HMAC, not the Telegram id

        h.advance(timedelta(hours=1, seconds=1))
        await h.send(INEKE, f"/start {code}")
        assert h.last(INEKE).startswith("Welkom bij Zorgroute")
        assert (await h.row_counts())["invite_attempt"] == 0  # old attempts are cleaned up


async def test_other_users_are_not_throttled_by_someone_elses_guessing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        code = await h.invite(await h.add_school(), "ib")
        for attempt in range(6):
            await h.send(INEKE, f"/start nope{attempt}")
        await h.send(PIETER, f"/start {code}")
        assert h.last(PIETER).startswith("Welkom bij Zorgroute")


async def test_a_member_redeeming_another_invite_gains_roles(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        first = await h.add_school("De Regenboog")
        second = await h.add_school("Het Lyceum", kind="vo")
        await h.register(INEKE, "ib", school_id=first, name="Ineke")

        await h.send(INEKE, f"/start {await h.invite(second, 'zorgcoordinator')}")
        assert h.last(INEKE).startswith("Welkom terug, Ineke. Je bent nu ook zorgcoördinator bij Het Lyceum.")

        await h.send(INEKE, f"/start {await h.invite(second, 'zorgcoordinator')}")
        assert h.last(INEKE).startswith("Welkom terug, Ineke. Je bent al zorgcoördinator bij Het Lyceum.")

        member = await h.member(INEKE)
        assert member is not None
        assert sorted((r.school_id, r.role) for r in member.roles) == [
            (first, "ib"),
            (second, "zorgcoordinator"),
        ]
        assert (await h.row_counts())["member"] == 1


async def test_start_without_code_welcomes_a_member_again(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await h.register(INEKE, "leerkracht", name="Ineke")
        await h.send(INEKE, "/start")
        [text] = h.received(INEKE)
        assert text.startswith("Welkom terug, Ineke. Dit kun je doen:")
        assert "/signaal" in text


async def test_a_member_added_without_a_code_is_welcomed_not_welcomed_back(
    settings: Settings, clock: FrozenClock
) -> None:
    # The demo (and an admin) add members directly: their first /start is a first welcome (issue 15.9).
    async with BotHarness(settings, clock=clock) as h:
        school_id = await h.add_school()
        async with h.uow() as uow:
            member = await uow.members.add(
                telegram_user_id=PIETER, display_name="Pieter", language="nl", now=clock.now()
            )
            await uow.members.add_roles(member, school_id, ["ib"])
            await uow.commit()
        await h.send(PIETER, "/start")
        [text] = h.received(PIETER)
        assert text.startswith("Welkom bij Zorgroute, Pieter! Dit kun je doen:")
        assert "terug" not in text
