"""The report's counts, gathered in one grouped pass over the cases' routing state, on SQLite and PostgreSQL:
consent given / refused / unreachable, the safety route, the Meldcode (the safety route with a family that
does not respond), outcomes of closed cases, and the small-cell rule on each of them at region level."""

from __future__ import annotations

import pytest

from bot.services.report import ReportRequest, route_report
from flows.case import Case, Consent
from flows.registry import builtin_registry
from flows.report import SMALL, RouteFigures
from storage.db import create_engine, make_sessionmaker
from storage.uow import UnitOfWork
from tests.test_report import NOW, at, moves

# (consent status or None, flags, closed with this outcome: None open, "" closed without one)
CASES: list[tuple[str | None, frozenset[str], str | None]] = [
    ("given", frozenset(), None),
    ("given", frozenset({"safety"}), None),
    ("given", frozenset(), "afgerond"),
    ("given", frozenset(), "afgerond"),
    ("given", frozenset(), "opgeschaald"),
    ("refused", frozenset(), ""),
    ("unreachable", frozenset({"safety", "non_responsive"}), None),
    ("unreachable", frozenset({"non_responsive"}), None),  # not on the safety route: no Meldcode
    (None, frozenset({"safety"}), None),
    (None, frozenset(), None),
]


async def _figures(database_url: str, level: str, scope: str) -> RouteFigures:
    engine = create_engine(database_url)
    async with UnitOfWork(make_sessionmaker(engine)) as uow:
        school = await uow.schools.get(1)
        if school is None:
            school = await uow.schools.add(name="De Regenboog", kind="po", route_id="vlaardingen", now=NOW)
            school.calendar_region = "vlaardingen"
            member = await uow.members.add(telegram_user_id=None, display_name="I", language="nl", now=NOW)
            await uow.session.flush()
            for n, (consent, flags, outcome) in enumerate([*CASES, ("given", frozenset({"safety"}), None)]):
                status = "draft" if n == len(CASES) else ("open" if outcome is None else "closed")
                case = Case(
                    f"Z-{n}", school.id, "vlaardingen", 1, "toestemming", status, member.id, at("2026-12-14")
                )
                case = case.with_(
                    flags=flags,
                    outcome=outcome or None,
                    consent=None
                    if consent is None
                    else Consent(consent, "telefoon", "2026-12-15", member.id, at("2026-12-15")),
                )
                await uow.cases.save(case, NOW, moves(("2026-12-14", "signaal", "ib_beoordeling")))
            await uow.commit()
        report = await route_report(
            uow, builtin_registry(), ReportRequest(level, scope), NOW, "Europe/Amsterdam"
        )  # type: ignore[arg-type]
        await uow.rollback()
    await engine.dispose()
    [figures] = report.routes
    return figures


async def test_school_counts(database_url: str) -> None:
    figures = await _figures(database_url, "school", "1")
    assert figures.cases == 10  # not the draft
    assert dict(figures.consent) == {"given": 5, "refused": 1, "unreachable": 2}
    assert (figures.safety, figures.meldcode) == (3, 1)
    assert dict(figures.outcomes) == {"afgerond": 2, "closed": 1, "opgeschaald": 1}


@pytest.mark.parametrize(("level", "scope"), [("region", "vlaardingen"), ("route", "vlaardingen")])
async def test_small_cells_only_at_region_level(database_url: str, level: str, scope: str) -> None:
    figures = await _figures(database_url, level, scope)
    if level == "route":  # a route across schools: its readers may see each school's figures
        assert dict(figures.consent) == {"given": 5, "refused": 1, "unreachable": 2}
        return
    assert figures.cases == 10
    assert dict(figures.consent) == {"given": 5, "refused": SMALL, "unreachable": SMALL}  # 5 is shown
    assert (figures.safety, figures.meldcode) == (SMALL, SMALL)
    assert dict(figures.outcomes) == {"afgerond": SMALL, "closed": SMALL, "opgeschaald": SMALL}
