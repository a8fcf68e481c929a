"""SMWplus / CJG with the verwijsindex (seed 003) on the engine."""

from __future__ import annotations

from typing import Any

import pytest
from route_driver import NOW, actor, fill, notified, said, start

from flows import events as ev
from flows import inputs as inp
from flows.engine import Result, RouteEngine
from flows.registry import builtin_registry

TEACHER = actor(1, "leerkracht")
MENTOR = actor(7, "mentor")
IB = actor(2, "ib")
SMW = actor(3, "smw")
COACH = actor(4, "jgc")
DIRECTIE = actor(5, "directie")


@pytest.fixture(scope="module")
def route_engine() -> RouteEngine:
    return RouteEngine(builtin_registry())


def talked_to_parents(route_engine: RouteEngine, concerns: str, who: Any = TEACHER) -> Result:
    r = start(
        route_engine,
        "smwplus",
        who,
        {"pupil": "EF 4", "observations": ["sociaal_emotioneel"], "notes": None, "safety": "nee"},
    )
    assert r.case.step == "ruggespraak"
    r = fill(route_engine, r, who, {"consulted": ["ib", "vorige_leerkracht"], "advice": "Praat met ouders"})
    return fill(route_engine, r, who, {"date": "20-11-2026", "concerns": concerns})


def at_smw(route_engine: RouteEngine) -> Result:
    r = talked_to_parents(route_engine, "bevestigd")
    assert r.case.step == "aanmelding"
    r = fill(route_engine, r, IB, {"reasons": ["sociaal_emotioneel", "opvoeding"]})
    assert notified(r) == [(("smw",), "smwplus.notify.to_smw")]
    return r


def parents(agree: str) -> dict[str, Any]:
    return {"method": "gesprek", "consent": agree, "date": "23-11-2026", "approach": "Gesprekken op school"}


def vi(**answers: str) -> dict[str, Any]:
    return {
        "criteria": ["andere_partners"],
        "informed": "ja",
        "jes": "ja",
        "decision": "signaleren",
        "reference": "JES-2026-11",
        **answers,
    }


def test_concerns_cleared_closes_the_case(route_engine: RouteEngine) -> None:
    r = talked_to_parents(route_engine, "ontkracht")
    assert r.case.status == "closed" and r.case.outcome == "geen_zorg"
    assert notified(r) == [(("ib",), "smwplus.notify.concerns_cleared")]


def test_weakened_concerns_are_watched_then_closed_or_sent_to_smwplus(route_engine: RouteEngine) -> None:
    r = talked_to_parents(route_engine, "afgezwakt")
    assert r.case.step == "volgen" and r.case.regiehouder == "ib"
    assert fill(route_engine, r, IB, {"result": "opgelost"}).case.outcome == "afgerond"
    assert fill(route_engine, r, IB, {"result": "smwplus"}).case.step == "aanmelding"


def test_happy_path_with_a_verwijsindex_decision(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_smw(route_engine), SMW, parents("given"))
    assert r.case.consent_given and r.case.regiehouder == "smw" and r.case.step == "verwijsindex"
    r = fill(route_engine, r, SMW, vi())
    assert r.case.step == "smw_hulp" and "verwijsindex" in r.case.flags
    assert r.case.data["verwijsindex"]["decision"] == "signaleren"
    assert r.case.data["verwijsindex"]["reference"] == "JES-2026-11"
    # Zorgroute records the decision only; the SMW-er registers from their own system.
    assert "smwplus.say.vi_register_yourself" in said(r)
    r = fill(
        route_engine, r, SMW, {"help": ["gesprekken_kind", "advies_leerkracht"], "evaluation": "01-02-2027"}
    )
    r = fill(route_engine, r, SMW, {"result": "doorgaan"})
    assert r.case.step == "smw_hulp"
    r = fill(route_engine, r, SMW, {"help": ["gesprekken_kind"], "evaluation": "01-03-2027"})
    r = fill(route_engine, r, SMW, {"result": "afgerond"})
    assert r.case.status == "closed" and r.case.outcome == "afgerond"


def test_a_decision_not_to_signal_is_recorded_too(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_smw(route_engine), SMW, parents("given"))
    r = fill(route_engine, r, SMW, vi(criteria=["geen"], decision="niet", reference="JES-2026-12"))
    assert r.case.step == "smw_hulp" and "verwijsindex" not in r.case.flags
    assert r.case.data["verwijsindex"]["decision"] == "niet"


def test_the_jes_first_and_parents_informed_before_a_signal(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_smw(route_engine), SMW, parents("given"))
    not_discussed = fill(route_engine, r, SMW, {"criteria": ["instanties"], "informed": "ja", "jes": "nee"})
    assert not_discussed.case.step == "verwijsindex" and "smwplus.say.vi_jes_first" in said(not_discussed)
    assert "verwijsindex" not in not_discussed.case.flags
    uninformed = fill(route_engine, r, SMW, vi(informed="nee"))
    assert uninformed.case.step == "verwijsindex" and "smwplus.say.vi_inform_first" in said(uninformed)
    assert "verwijsindex" not in uninformed.case.flags


def test_refusal_with_serious_concerns_escalates_to_the_gezinscoach(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_smw(route_engine), SMW, parents("refused"))
    assert r.case.step == "weigering" and r.case.consent is not None and r.case.consent.status == "refused"
    # Not every effort made yet: back to the parents first.
    retry = fill(route_engine, r, SMW, {"efforts": "nee"})
    assert retry.case.step == "smw_gesprek" and "smwplus.say.try_parents_again" in said(retry)
    r = fill(route_engine, r, SMW, {"efforts": "ja", "serious": "ja"})
    assert r.case.step == "gezinscoach" and "refusal" in r.case.flags
    r = fill(route_engine, r, SMW, {"reason": "weigering", "involved": None})
    assert r.case.regiehouder == "jgc" and r.case.priority == "first"
    assert (("jgc",), "smwplus.notify.escalated") in notified(r)
    # The Gezinscoach is no part of the school's care team, yet can open the case waiting on them.
    r = fill(
        route_engine,
        r,
        COACH,
        {"vi_decision": "signaleren", "vi_reference": "CJG-778", "plan": "Regie bij CJG"},
    )
    assert r.case.step == "gc_afsluiting" and r.case.assigned["jgc"] == COACH.member_id
    r = fill(route_engine, r, COACH, {"result": "afgerond"})
    assert r.case.status == "closed"


def test_refusal_without_serious_concerns_closes(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_smw(route_engine), SMW, parents("refused"))
    r = fill(route_engine, r, SMW, {"efforts": "ja", "serious": "nee"})
    assert r.case.status == "closed" and (("ib",), "smwplus.notify.closed_refusal") in notified(r)


def test_a_multi_problem_family_escalates_from_the_evaluation_or_at_once(route_engine: RouteEngine) -> None:
    r = fill(route_engine, fill(route_engine, at_smw(route_engine), SMW, parents("given")), SMW, vi())
    now = route_engine.advance(r.case, SMW, inp.DoAction("opschalen", "smw_hulp"), NOW)
    assert now.case.step == "gezinscoach" and "multi_problem" in now.case.flags
    r = fill(route_engine, r, SMW, {"help": ["gesprekken_ouders"], "evaluation": "01-02-2027"})
    later = fill(route_engine, r, SMW, {"result": "multi"})
    assert later.case.step == "gezinscoach" and "multi_problem" in later.case.flags


def test_the_gezinscoach_can_hand_back_to_the_school(route_engine: RouteEngine) -> None:
    r = fill(route_engine, fill(route_engine, at_smw(route_engine), SMW, parents("given")), SMW, vi())
    r = route_engine.advance(r.case, SMW, inp.DoAction("opschalen", "smw_hulp"), NOW)
    r = fill(route_engine, r, SMW, {"reason": "multi_problem", "involved": ["ggz", "jeugdhulp"]})
    r = fill(route_engine, r, COACH, {"vi_decision": "al_gedaan", "plan": "Eén plan"})
    back = fill(route_engine, r, COACH, {"result": "terug_school"})
    assert back.case.step == "smw_hulp" and back.case.regiehouder == "smw"


def test_a_mentor_plays_the_teachers_part_in_vo(route_engine: RouteEngine) -> None:
    r = talked_to_parents(route_engine, "ontkracht", who=MENTOR)
    assert r.case.status == "closed"


def test_wrong_roles_are_refused(route_engine: RouteEngine) -> None:
    r = talked_to_parents(route_engine, "bevestigd")
    for who, step, reason in (
        (TEACHER, "aanmelding", "access.wrong_role"),  # the IB-er calls in SMWplus, not the teacher
        (SMW, "aanmelding", "access.not_found"),  # SMWplus sees the case once the IB-er calls it in
        (COACH, "aanmelding", "access.not_found"),  # the CJG does not see a case before escalation
    ):
        result = route_engine.advance(r.case, who, inp.Open(step), NOW)
        assert result.events == (ev.Refused(who.member_id, reason),) and result.case is r.case
    r = fill(route_engine, r, IB, {"reasons": ["gedrag"]})
    assert route_engine.advance(r.case, IB, inp.Open("smw_gesprek"), NOW).events == (
        ev.Refused(IB.member_id, "access.wrong_role"),
    )


def test_the_escalate_action_is_only_for_smwplus_during_its_help() -> None:
    route = builtin_registry().latest("smwplus")
    action = route.actions["opschalen"]
    assert action.roles == ("smw",) and set(action.steps) == {"verwijsindex", "smw_hulp", "evaluatie"}
