"""Who may see the route report at which level (flows/policy.py, docs/report.md), written out per role so a
change to the policy shows here: a school's figures for its leadership, care coordinators and the SWV-er; a
route across schools and a region only for the samenwerkingsverband."""

from __future__ import annotations

import pytest

from flows.policy import can_see_report
from flows.roles import ROLES

SCHOOL = {"directie", "ib", "zorgcoordinator", "swv"}
ABOVE_SCHOOL = {"swv"}
EXPECTED = {
    "school": SCHOOL,
    "route": ABOVE_SCHOOL,
    "region": ABOVE_SCHOOL,
}


@pytest.mark.parametrize("level", sorted(EXPECTED))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_at_each_level(role: str, level: str) -> None:
    decision = can_see_report(frozenset({role}), level)
    assert bool(decision) == (role in EXPECTED[level]), (role, level)
    if not decision:
        assert decision.reason == "report.not_allowed"


def test_nobody_sees_an_unknown_level_and_no_role_sees_nothing() -> None:
    assert not can_see_report(frozenset(ROLES), "country")
    assert not can_see_report(frozenset(), "school")


def test_a_teacher_who_is_also_ib_sees_the_school() -> None:
    assert can_see_report(frozenset({"leerkracht", "ib"}), "school")
    assert not can_see_report(frozenset({"leerkracht", "ib", "directie"}), "region")
