"""/overzicht through the real bot: a school's figures and a chart for its leadership and care coordinators,
the region (small cells hidden) for the SWV-er, a clear refusal for everyone else; every report audited;
every shipped route on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.i18n import make_i18n
from bot.render.text import Translator
from bot.settings import Settings
from flows.case import Case, TimelineEntry
from flows.clock import FrozenClock
from flows.registry import builtin_registry
from storage.models import AuditRow
from tests.harness import BotHarness
from tests.privacy_helpers import signal


async def test_overview_for_the_ib_er_with_a_chart_and_an_audit(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(1, "leerkracht", school_id=school)
        await h.register(2, "ib", school_id=school)
        await h.register(3, "swv", school_id=school)
        ref = await signal(h, 1, pupil="QX 7", notes="vrije tekst")
        h.received(1)
        h.received(2)
        h.received(3)
        await h.send(2, "/overzicht")
        text, caption = h.received(2)
        assert "<b>Overzicht zorgroute — De Regenboog</b>" in text
        assert "1 signalen" in text and "Besluit intern begeleider" in text
        assert ref not in text and "QX" not in text and "vrije tekst" not in text
        assert caption.startswith("Doorlooptijden en open werk")
        [png] = [f for f in h.state.files() if f.filename == "overzicht.png"]
        assert png.data.startswith(b"\x89PNG")
        await h.send(3, "/overzicht regio")
        region_text, _ = h.received(3)
        assert "&lt; 5" in region_text and "Aantallen van 1 tot 4" in region_text
        await h.send(1, "/overzicht")
        assert h.received(1) == [h.runtime.i18n.gettext("report.not_allowed", locale="nl")]  # type: ignore[union-attr]
        async with h.uow() as uow:
            rows = (await uow.session.scalars(select(AuditRow).where(AuditRow.action == "report"))).all()
        assert [(r.member_id is not None, r.channel, r.case_ref, r.detail) for r in rows] == [
            (True, "telegram", None, "school 1"),
            (True, "telegram", None, "region vlaardingen"),
        ]


async def test_overview_levels_per_role(settings: Settings, clock: FrozenClock) -> None:
    """The directie and the zorgcoördinator see their school, not the region; the SWV-er sees both; the
    gedragswetenschapper and the wijkteam (who work on cases) see neither. A refusal is not audited."""
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        for user, role in enumerate(
            ("directie", "zorgcoordinator", "swv", "gedragswetenschapper", "wijkteam"), 1
        ):
            await h.register(user, role, school_id=school)
            h.received(user)
        refused = h.runtime.i18n.gettext("report.not_allowed", locale="nl")  # type: ignore[union-attr]
        seen = {}
        for user in range(1, 6):
            for words in ("/overzicht", "/overzicht regio"):
                await h.send(user, words)
                answer = h.received(user)
                seen[(user, words)] = answer != [refused]
        assert seen == {
            (1, "/overzicht"): True,
            (1, "/overzicht regio"): False,
            (2, "/overzicht"): True,
            (2, "/overzicht regio"): False,
            (3, "/overzicht"): True,
            (3, "/overzicht regio"): True,
            (4, "/overzicht"): False,
            (4, "/overzicht regio"): False,
            (5, "/overzicht"): False,
            (5, "/overzicht regio"): False,
        }
        async with h.uow() as uow:
            rows = (await uow.session.scalars(select(AuditRow).where(AuditRow.action == "report"))).all()
        assert len(rows) == 4


@pytest.mark.parametrize("route_id", sorted(builtin_registry().ids()))
async def test_overview_for_every_shipped_route(
    settings: Settings, clock: FrozenClock, route_id: str
) -> None:
    """/overzicht through the bot on both databases for a school with a case on each shipped route: the
    route's name and its milestones in the text, and the chart as a PNG."""
    route = builtin_registry().latest(route_id)
    first_move = route.step(route.start.step).transitions[-1].to
    assert first_move is not None
    async with BotHarness(settings, clock=clock) as h:
        school_id = await h.add_school(kind=route.school_kinds[0])
        await h.register(2, "ib", school_id=school_id)
        h.received(2)
        now = clock.now()
        async with h.uow() as uow:
            school = await uow.schools.get(school_id)
            assert school is not None
            member = await uow.members.add(telegram_user_id=None, display_name="M", language="nl", now=now)
            await uow.session.flush()
            signalled = now - timedelta(days=9)
            case = Case("Z-1", school_id, route_id, route.version, first_move, "open", member.id, signalled)
            entry = TimelineEntry(
                now - timedelta(days=2), member.id, "ib", route.start.step, "submitted", {}, first_move
            )
            await uow.cases.save(case.with_(step_entered_at=entry.at), now, (entry,))
            await uow.commit()
        await h.send(2, "/overzicht")
        text, caption = h.received(2)
        t = Translator(make_i18n("nl"), "nl")
        assert route.name["nl"] in text and "1 signalen" in text
        assert t.raw(route.milestones[1].label) in text
        assert caption.startswith("Doorlooptijden en open werk")
        [png] = [f for f in h.state.files() if f.filename == "overzicht.png"]
        assert png.data.startswith(b"\x89PNG")
