"""/overzicht through the real bot: a school's figures and a chart for its leadership and care coordinators,
the region (small cells hidden) for the SWV-er, a clear refusal for everyone else; every report audited."""

from __future__ import annotations

from sqlalchemy import select

from bot.settings import Settings
from flows.clock import FrozenClock
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
