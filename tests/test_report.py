"""`zorgroute report` over cases stored on SQLite and PostgreSQL: the SQL aggregates, the days counted on the
school's calendar across the kerstvakantie 2026-27 (Sat 19 Dec – Sun 3 Jan) and weekends, the small-cell
rule at region level, and the audit. Every expected number is counted by hand beside it: school days in
(start date, end date], calendar days as the difference of the dates."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.i18n import make_i18n
from bot.render.report import report_text
from bot.render.report_chart import report_png
from bot.render.text import Translator
from bot.services.report import ReportRequest, route_report
from flows.calendar import AMSTERDAM
from flows.case import Case, Consent, TimelineEntry
from flows.clock import FrozenClock
from flows.registry import builtin_registry
from storage.db import create_engine, make_sessionmaker
from storage.models import AuditRow, School
from storage.models.follow_up import FollowUpRow
from storage.uow import UnitOfWork
from tests.cli import zorgroute

NOW = datetime(2027, 1, 6, 10, 0, tzinfo=AMSTERDAM)  # Wednesday, the third school day after the holiday


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=AMSTERDAM)


def moves(*items: tuple[str, str, str | None]) -> tuple[TimelineEntry, ...]:
    return tuple(
        TimelineEntry(
            at(moment) if len(moment) == 10 else datetime.fromisoformat(moment).replace(tzinfo=AMSTERDAM),
            1,
            "ib",
            step,
            "submitted",
            {},
            to,
        )
        for moment, step, to in items
    )


@pytest.fixture
async def seeded(database_url: str) -> AsyncIterator[str]:
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        vlaardingen = await uow.schools.add(name="De Regenboog", kind="po", route_id="vlaardingen", now=NOW)
        vlaardingen.calendar_region = "vlaardingen"
        rotterdam = await uow.schools.add(name="De Klimop", kind="po", route_id="rotterdam_po", now=NOW)
        member = await uow.members.add(telegram_user_id=None, display_name="Ineke", language="nl", now=NOW)
        await uow.session.flush()

        def case(ref: str, school: School, step: str, signalled: str, **kw: object) -> Case:
            base = Case(ref, school.id, school.route_id or "", 1, step, "open", member.id, at(signalled))
            return base.with_(**kw)

        # A: signal Thu 17 Dec, IB decision Mon 4 Jan (Fri 18 Dec + Mon 4 Jan = 2 school days, 18 days);
        # parents unreachable on Tue 5 Jan (a stay on the step, not a move); waits on consent since Mon 4 Jan.
        a = case(
            "Z-A",
            vlaardingen,
            "toestemming",
            "2026-12-17",
            step_entered_at=at("2027-01-04", 10),
            consent=Consent("unreachable", "telefoon", "2027-01-05", member.id, at("2027-01-05")),
        )
        a_saved = await uow.cases.save(
            a,
            at("2027-01-05"),
            moves(
                ("2026-12-17", "signaal", "ib_beoordeling"),
                ("2027-01-04T10:00", "ib_beoordeling", "toestemming"),
                ("2027-01-05", "toestemming", "toestemming"),
            ),
        )
        # B, on the safety route: signal Fri 11 Dec, IB Mon 14 Dec (over a weekend: 1 school day, 3 days);
        # consent and the VOT list Wed 16 Dec (3 school days, 5 days); waits on the GS since Thu 17 Dec 15:00.
        b = case(
            "Z-B",
            vlaardingen,
            "gs_check",
            "2026-12-11",
            step_entered_at=at("2026-12-17", 15),
            flags=frozenset({"safety"}),
            consent=Consent("given", "telefoon", "2026-12-16", member.id, at("2026-12-16")),
        )
        await uow.cases.save(
            b,
            at("2026-12-17"),
            moves(
                ("2026-12-11", "signaal", "ib_beoordeling"),
                ("2026-12-14", "ib_beoordeling", "toestemming"),
                ("2026-12-16", "toestemming", "vot_lijst"),
                ("2026-12-17T15:00", "vot_lijst", "gs_check"),
            ),
        )
        # C: signal Mon 14 Dec, IB Tue 15 Dec (1, 1), plan op maat, closed Tue 5 Jan: 15–18 Dec + 4, 5 Jan =
        # 6 school days, 22 days.
        c = case("Z-C", vlaardingen, "afgerond", "2026-12-14", status="closed", outcome="afgerond")
        await uow.cases.save(
            c,
            at("2027-01-05"),
            moves(
                ("2026-12-14", "signaal", "ib_beoordeling"),
                ("2026-12-15", "ib_beoordeling", "plan_op_maat"),
                ("2026-12-16", "plan_op_maat", "evaluatie"),
                ("2027-01-05", "evaluatie", "afgerond"),
            ),
        )
        # D: a draft (never signalled) and E: another school, another region. Neither counts.
        await uow.cases.save(case("Z-D", vlaardingen, "signaal", "2026-12-10", status="draft"), NOW)
        await uow.cases.save(
            case("Z-E", rotterdam, "smw_ernst", "2026-12-14"),
            NOW,
            moves(("2026-12-14", "signaal", "smw_ernst")),
        )
        # A's consent reminder fell due on Tue 5 Jan and is still pending: overdue. A fired one is not.
        for status in ("pending", "fired"):
            uow.session.add(
                FollowUpRow(
                    case_id=a_saved.id,
                    step="toestemming",
                    follow_up="consent_reminder",
                    due_at=at("2027-01-05"),
                    status=status,
                    attempts=0,
                    created_at=NOW,
                )
            )
        await uow.commit()
    await engine.dispose()
    yield database_url


async def report(database_url: str, tmp_path: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = await zorgroute(
        "report", *args, "--json", database_url=database_url, cwd=tmp_path, clock=FrozenClock(NOW)
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def stat(median: float | None, p90: float | None, top: float | None) -> dict[str, object]:
    return {"median": median, "p90": p90, "max": top, "withheld": False}


async def test_school_report_counts_school_days_across_the_holiday(seeded: str, tmp_path: Path) -> None:
    data = await report(seeded, tmp_path, "--school", "1")
    assert data["level"] == "school" and not data["small_cells"]
    [route] = data["routes"]
    assert route["route_id"] == "vlaardingen" and route["cases"] == 3  # A, B, C; not the draft
    steps = {s["step"]: s for s in route["steps"] if s["open"] or s["overdue"]}
    assert set(steps) == {"toestemming", "gs_check"}
    # A since Mon 4 Jan 10:00: 5, 6 Jan = 2 school days, 2 days; one reminder overdue.
    assert (steps["toestemming"]["open"], steps["toestemming"]["overdue"]) == (1, 1)
    assert steps["toestemming"]["waiting_school_days"] == stat(2, 2, 2)
    # B since Thu 17 Dec: 18 Dec, 4, 5, 6 Jan = 4 school days; 20 days.
    assert steps["gs_check"]["waiting_school_days"] == stat(4, 4, 4)
    assert steps["gs_check"]["waiting_calendar_days"] == stat(20, 20, 20)
    lead = {m["milestone"]: m for m in route["lead_times"]}
    # IB decision: A 2, B 1, C 1 school days → median 1, p90 the 3rd of 3 = 2; days 18, 3, 1 → median 3.
    assert lead["ib_decision"]["reached"] == 3
    assert lead["ib_decision"]["school_days"] == stat(1, 2, 2)
    assert lead["ib_decision"]["calendar_days"] == stat(3, 18, 18)
    # Consent and the VOT list: B only, 3 school days, 5 days. A's stay on the step is not a move.
    assert lead["consent"]["school_days"] == stat(3, 3, 3)
    assert lead["vot_list"]["calendar_days"] == stat(5, 5, 5)
    assert lead["first_contact"]["reached"] == 0
    # Closed: C, 6 school days, 22 days.
    assert lead["closed"]["school_days"] == stat(6, 6, 6)
    assert lead["closed"]["calendar_days"] == stat(22, 22, 22)
    assert route["consent"] == {"given": 1, "refused": 0, "unreachable": 1}
    assert (route["safety"], route["meldcode"]) == (1, 0)
    assert route["outcomes"] == {"afgerond": 1}


async def test_region_report_hides_small_cells(seeded: str, tmp_path: Path) -> None:
    data = await report(seeded, tmp_path, "--region", "vlaardingen")
    assert data["small_cells"]
    [route] = data["routes"]  # the Rotterdam school is in another region
    assert route["cases"] == "< 5"
    lead = {m["milestone"]: m for m in route["lead_times"]}
    assert lead["ib_decision"]["reached"] == "< 5" and lead["ib_decision"]["school_days"]["withheld"]
    assert route["consent"] == {"given": "< 5", "refused": 0, "unreachable": "< 5"}


async def test_period_and_route_level(seeded: str, tmp_path: Path) -> None:
    # Only B (signalled Fri 11 Dec) was signalled before Mon 14 Dec.
    data = await report(seeded, tmp_path, "--route", "vlaardingen", "--to", "2026-12-13")
    [route] = data["routes"]
    assert route["cases"] == 1 and not data["small_cells"]
    assert {m["milestone"]: m["reached"] for m in route["lead_times"]}["ib_decision"] == 1
    data = await report(seeded, tmp_path, "--route", "rotterdam_po")
    assert data["routes"][0]["cases"] == 1


async def test_every_report_is_audited_and_shows_no_ref(seeded: str, tmp_path: Path) -> None:
    for form in ("--csv", "--json", ""):
        result = await zorgroute(
            "report",
            "--school",
            "1",
            *([form] if form else []),
            database_url=seeded,
            cwd=tmp_path,
            clock=FrozenClock(NOW),
        )
        assert result.returncode == 0, result.stderr
        assert "Z-" not in result.stdout
    assert result.stdout.startswith("Report: school 1")
    engine = create_engine(seeded)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        rows = (await uow.session.scalars(select(AuditRow).where(AuditRow.action == "report"))).all()
    await engine.dispose()
    assert [(r.channel, r.school_id, r.case_ref) for r in rows] == [("cli", 1, None)] * 3


async def test_unknown_scope_is_one_line(seeded: str, tmp_path: Path) -> None:
    result = await zorgroute(
        "report", "--region", "atlantis", database_url=seeded, cwd=tmp_path, clock=FrozenClock(NOW)
    )
    assert result.returncode == 1 and "atlantis" in result.stderr


@pytest.mark.parametrize("route_id", sorted(builtin_registry().ids()))
async def test_every_shipped_route_reports_and_draws(database_url: str, route_id: str) -> None:
    route = builtin_registry().latest(route_id)
    first_move = route.step(route.start.step).transitions[-1].to
    assert first_move is not None
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        school = await uow.schools.add(name="School", kind=route.school_kinds[0], route_id=route_id, now=NOW)
        member = await uow.members.add(telegram_user_id=None, display_name="M", language="nl", now=NOW)
        await uow.session.flush()
        case = Case(
            "Z-1", school.id, route_id, route.version, first_move, "open", member.id, at("2026-12-17")
        )
        await uow.cases.save(
            case.with_(step_entered_at=at("2026-12-18")),
            NOW,
            moves(("2026-12-18", route.start.step, first_move)),
        )
        report = await route_report(
            uow, builtin_registry(), ReportRequest("school", str(school.id)), NOW, "Europe/Amsterdam"
        )
    await engine.dispose()
    [figures] = report.routes
    assert figures.cases == 1 and len(figures.lead_times) == len(route.milestones) - 1
    assert {s.step: s.open for s in figures.steps}[first_move] == 1
    t = Translator(make_i18n("nl"), "en")
    text = report_text(t, report, "School", builtin_registry())
    assert "report." not in text and route.name["en"] in text
    labels = [t.raw(m.label) for m in route.milestones[1:]]
    png = report_png(figures, labels, [t.raw(s.title) for s in figures.steps], ("lead", "open", "days"))
    assert png.startswith(b"\x89PNG")


async def test_meldcode_cases_get_lead_times_whether_started_or_handed_over(
    database_url: str, tmp_path: Path
) -> None:
    """The Meldcode's milestones come from flows/routes/meldcode.yaml; its lead times start when a case
    reaches its first step, so a case handed over by the Vlaardingen route's consent step counts as well as
    one started with /meldcode."""
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        school = await uow.schools.add(name="De Regenboog", kind="po", route_id="vlaardingen", now=NOW)
        school.calendar_region = "vlaardingen"
        member = await uow.members.add(telegram_user_id=None, display_name="Ineke", language="nl", now=NOW)
        await uow.session.flush()
        # M1, started on its own Mon 14 Dec; signals mapped Wed 16 Dec (2 school days, 2 days); the weighing
        # decided Tue 5 Jan to report: 15–18 Dec + 4, 5 Jan = 6 school days, 22 days.
        m1 = Case("Z-M1", school.id, "meldcode", 1, "mc_melden", "open", member.id, at("2026-12-14"))
        await uow.cases.save(
            m1,
            NOW,
            moves(
                ("2026-12-14", "mc_start", "mc_signalen"),
                ("2026-12-16", "mc_signalen", "mc_collegiaal"),
                ("2026-12-17", "mc_collegiaal", "mc_gesprek"),
                ("2026-12-18", "mc_gesprek", "mc_wegen"),
                ("2027-01-04", "mc_wegen", "mc_besluit"),
                ("2027-01-05", "mc_besluit", "mc_melden"),
            ),
        )
        # M2, signalled on the Vlaardingen route Thu 10 Dec; parents unreachable, handed to the Meldcode
        # Fri 18 Dec; signals mapped Mon 4 Jan: 1 school day (the holiday between), 17 days.
        m2 = Case("Z-M2", school.id, "meldcode", 1, "mc_collegiaal", "open", member.id, at("2026-12-10"))
        await uow.cases.save(
            m2.with_(flags=frozenset({"safety", "non_responsive"})),
            NOW,
            moves(
                ("2026-12-10", "signaal", "ib_beoordeling"),
                ("2026-12-11", "ib_beoordeling", "toestemming"),
                ("2026-12-18", "toestemming", "mc_signalen"),
                ("2027-01-04", "mc_signalen", "mc_collegiaal"),
            ),
        )
        await uow.commit()
    await engine.dispose()
    data = await report(database_url, tmp_path, "--school", str(school.id))
    [route] = data["routes"]
    assert route["route_id"] == "meldcode" and route["cases"] == 2
    lead = {m["milestone"]: m for m in route["lead_times"]}
    assert list(lead) == ["signals", "decision", "report", "closed"]
    # Signals: M1 2, M2 1 school days → median 1.5, p90 the 2nd of 2 = 2; days 2 and 17 → median 9.5.
    assert lead["signals"]["reached"] == 2
    assert lead["signals"]["school_days"] == stat(1.5, 2, 2)
    assert lead["signals"]["calendar_days"] == stat(9.5, 17, 17)
    assert lead["decision"]["school_days"] == stat(6, 6, 6) and lead["decision"]["calendar_days"] == stat(
        22, 22, 22
    )
    assert lead["report"]["reached"] == 1 and lead["report"]["school_days"] == stat(6, 6, 6)
    assert lead["closed"]["reached"] == 0
    assert (route["safety"], route["meldcode"]) == (1, 1)
