"""MVS PO schoolondersteuningsroute with OZA (seed 002) on the engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from route_driver import NOW, actor, fill, is_status, notified, said, scheduled, start

from flows import events as ev
from flows import inputs as inp
from flows import policy
from flows.engine import Result, RouteEngine
from flows.participants import members_for
from flows.registry import builtin_registry

TEACHER = actor(1, "leerkracht")
IB = actor(2, "ib")
DIRECTIE = actor(3, "directie")
SWV = actor(4, "swv")
GS = actor(5, "gs")
WIJKTEAM = actor(6, "wijkteam")


@pytest.fixture(scope="module")
def route_engine() -> RouteEngine:
    return RouteEngine(builtin_registry())


def signal(route_engine: RouteEngine) -> Result:
    return start(
        route_engine,
        "mvs_po",
        TEACHER,
        {
            "pupil": "CD 6",
            "observations": ["leren", "gedrag"],
            "parents": "ja",
            "notes": None,
            "safety": "nee",
        },
    )


def consult(route_engine: RouteEngine, outcome: str) -> Result:
    return fill(
        route_engine, signal(route_engine), IB, {"consulted": ["leerkracht", "gs"], "outcome": outcome}
    )


def at_ot(route_engine: RouteEngine) -> Result:
    r = consult(route_engine, "meer")
    r = fill(route_engine, r, DIRECTIE, {"date": "30-11-2026"})
    return fill(
        route_engine,
        r,
        IB,
        {
            "ot_members": [IB.member_id, SWV.member_id, GS.member_id],
            "ot_date": "07-12-2026",
            "pupil_invited": "ja",
        },
    )


def consent(result: str) -> dict[str, str]:
    return {"method": "gesprek", "result": result, "date": "23-11-2026"}


def test_outcome_1_nothing_more_closes(route_engine: RouteEngine) -> None:
    r = consult(route_engine, "niets")
    assert r.case.status == "closed" and r.case.outcome == "consult_klaar"


def test_outcome_2_agreements_and_the_vot_only_when_they_fall_short(route_engine: RouteEngine) -> None:
    r = consult(route_engine, "afspraken")
    assert r.case.step == "afspraken" and r.case.regiehouder == "ib" and notified(r) == []
    r = fill(
        route_engine,
        r,
        IB,
        {"who": ["leerkracht", "gs"], "what": "Dagstart met de GS", "evaluation": "18-12-2026"},
    )
    assert r.case.step == "afspraken_eval" and scheduled(r) == ["agreements_due"]
    done = fill(route_engine, r, IB, {"result": "voldoende"})
    assert done.case.status == "closed" and done.case.outcome == "afgerond"
    short = fill(route_engine, r, IB, {"result": "onvoldoende"})
    assert short.case.step == "vot_bijeen"
    assert notified(short) == [(("directie",), "mvs_po.notify.convene_vot")]


def test_outcome_3_the_directie_convenes_the_vot_then_the_ot(route_engine: RouteEngine) -> None:
    r = consult(route_engine, "meer")
    assert r.case.step == "vot_bijeen" and notified(r) == [(("directie",), "mvs_po.notify.convene_vot")]
    assert scheduled(r) == ["vot_reminder"]
    # Only the directie convenes the VOT.
    assert route_engine.advance(r.case, IB, inp.Open("vot_bijeen"), NOW).events == (
        ev.Refused(IB.member_id, "access.wrong_role"),
    )
    r = fill(route_engine, r, DIRECTIE, {"date": "30-11-2026"})
    assert r.case.step == "vot" and r.case.assigned["directie"] == DIRECTIE.member_id
    r = fill(
        route_engine,
        r,
        IB,
        {"ot_members": [IB.member_id, GS.member_id], "ot_date": "07-12-2026", "pupil_invited": "ja"},
    )
    assert r.case.step == "ot"
    # The OT is "zo beperkt als mogelijk": the notice names the invited, and only they (and the school)
    # see the case; the SWV-er who was not invited does not.
    [notice] = [e for e in r.events if isinstance(e, ev.Notify) and not is_status(e)]
    assert (notice.roles, notice.participants) == (("ib",), ("ot_invitee",))
    assert members_for(r.case, ["ot_invitee"]) == {IB.member_id, GS.member_id}
    route = route_engine.routes.latest("mvs_po")
    assert policy.can_view(GS, r.case, route) and not policy.can_view(SWV, r.case, route)


def test_basisondersteuning_keeps_the_direction_with_the_ib(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_ot(route_engine), DIRECTIE, {"parents": "ja", "need": "basis"})
    assert r.case.step == "monitoring" and r.case.regiehouder == "ib"


def test_refused_consent_blocks_onderwijstransparant(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_ot(route_engine), DIRECTIE, {"parents": "ja", "need": "onderwijs"})
    assert r.case.step == "toestemming"
    refused = fill(route_engine, r, IB, consent("refused"))
    assert refused.case.step == "ot" and refused.case.consent is not None
    assert refused.case.consent.status == "refused" and "mvs_po.say.consent_refused" in said(refused)
    assert "ot_melding" not in refused.case.data
    # Not reached: try again, still nothing filed.
    again = fill(route_engine, r, IB, consent("unreachable"))
    assert again.case.step == "toestemming" and not again.case.consent_given


def test_every_way_into_onderwijstransparant_needs_consent() -> None:
    route = builtin_registry().latest("mvs_po")
    into = [t for s in route.steps.values() for t in s.transitions if t.to == "ot_melding"]
    assert into and all(t.requires_consent for t in into)
    assert all(t.requires_consent for t in route.step("ot_melding").transitions)
    assert not [a for a in route.actions.values() if a.to == "ot_melding"]


def test_with_consent_the_ib_files_and_the_swv_takes_the_direction(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_ot(route_engine), DIRECTIE, {"parents": "ja", "need": "onderwijs"})
    r = fill(route_engine, r, IB, consent("given"))
    assert r.case.consent_given and r.case.step == "ot_melding"
    r = fill(route_engine, r, IB, {"reference": "OT-2026-0412", "date": "23-11-2026"})
    assert r.case.data["ot_melding"]["reference"] == "OT-2026-0412"
    # A reference, not a story about the family: it need not be encrypted at rest.
    reference = builtin_registry().latest("mvs_po").step("ot_melding").field("reference")
    assert reference is not None and not reference.sensitive and reference.max_length <= 40
    assert notified(r) == [(("swv",), "mvs_po.notify.request_filed")]
    r = fill(route_engine, r, SWV, {"decision": "toegekend"})
    assert r.case.step == "monitoring" and r.case.regiehouder == "swv"


def oza(route_engine: RouteEngine) -> Result:
    r = fill(route_engine, at_ot(route_engine), DIRECTIE, {"parents": "ja", "need": "oza"})
    assert r.case.step == "oza_analyse" and "oza" in r.case.flags
    return r


def test_the_oza_steps_and_the_wijkteam_as_casusregisseur(route_engine: RouteEngine) -> None:
    r = oza(route_engine)
    analysis = {"question": "Angst", "parents": "ja", "existing_help": "ja"}
    # Help already in the family and not yet aligned with the wijkteam: align first.
    held = fill(route_engine, r, GS, {**analysis, "aligned": "nee"})
    assert held.case.step == "oza_analyse" and "mvs_po.say.align_first" in said(held)
    assert (("wijkteam",), "mvs_po.notify.align_request") in notified(held)
    r = fill(route_engine, held, GS, {**analysis, "aligned": "ja"})
    assert r.case.step == "voorliggend"
    r = fill(route_engine, r, IB, {"fits": "nee"})
    assert r.case.step == "ot_wijkteam"
    # The wijkteam, outside the school's VOT, can open the step that waits on it.
    r = fill(route_engine, r, WIJKTEAM, {"provider": "wijkteam"})
    assert r.case.step == "wijkteam_plan" and r.case.regiehouder == "wijkteam"
    r = fill(route_engine, r, WIJKTEAM, {"indication": "afgegeven", "plan": "Ambulante hulp thuis"})
    assert r.case.step == "monitoring" and r.case.assigned["wijkteam"] == WIJKTEAM.member_id
    r = fill(route_engine, r, WIJKTEAM, {"plan": "Maandelijks", "evaluation": "01-02-2027"})
    assert r.case.step == "evaluatie" and scheduled(r) == ["evaluation_due", "evaluation_late"]
    done = fill(route_engine, r, IB, {"result": "goed"})
    assert done.case.status == "closed"


def test_voorliggende_voorzieningen_first(route_engine: RouteEngine) -> None:
    r = fill(
        route_engine, oza(route_engine), IB, {"question": "Angst", "parents": "ja", "existing_help": "nee"}
    )
    r = fill(route_engine, r, GS, {"fits": "ja"})
    assert r.case.step == "monitoring" and r.case.regiehouder == "gs"


def at_evaluation(route_engine: RouteEngine) -> Result:
    r = fill(route_engine, at_ot(route_engine), DIRECTIE, {"parents": "ja", "need": "basis"})
    return fill(route_engine, r, IB, {"plan": "Elke 6 weken", "evaluation": "01-02-2027"})


def test_stagnation_goes_to_team_no_and_its_decision_is_recorded(route_engine: RouteEngine) -> None:
    r = fill(route_engine, at_evaluation(route_engine), IB, {"result": "stagnatie"})
    assert r.case.step == "team_no" and "stagnation" in r.case.flags
    r = fill(route_engine, r, GS, {"reason": ["wachtlijst", "budget"], "date": "20-11-2026"})
    assert r.case.step == "team_no_besluit" and scheduled(r) == ["decision_due", "decision_late"]
    late = route_engine.advance(
        r.case, None, inp.Timeout("decision_late", "team_no_besluit"), NOW + timedelta(days=28)
    )
    assert notified(late) == [(("directie", "ib"), "mvs_po.notify.team_no_late")]
    decided = fill(
        route_engine,
        r,
        SWV,
        {"decision": "wijkteam", "assignment": "Zorg op school", "provider": "Zorgaanbieder X"},
    )
    assert decided.case.step == "monitoring" and decided.case.regiehouder == "wijkteam"
    assert "stagnation" not in decided.case.flags
    assert decided.case.data["team_no_besluit"]["decision"] == "wijkteam"


def test_without_a_breakthrough_the_national_consultants_are_the_last_resort(
    route_engine: RouteEngine,
) -> None:
    r = fill(route_engine, at_evaluation(route_engine), IB, {"result": "stagnatie"})
    r = fill(route_engine, r, GS, {"reason": ["complex"], "date": "20-11-2026"})
    r = fill(route_engine, r, GS, {"decision": "geen"})
    assert r.case.step == "landelijk"
    assert "mvs_po.say.onderwijsconsulenten" in said(r)
    assert (("ib", "directie"), "mvs_po.notify.no_breakthrough") in notified(r)
    r = fill(route_engine, r, DIRECTIE, {"result": "afronden"})
    assert r.case.status == "closed"


def test_stagnation_can_be_raised_while_support_is_arranged_but_not_before(route_engine: RouteEngine) -> None:
    r = at_evaluation(route_engine)
    moved = route_engine.advance(r.case, SWV, inp.DoAction("stagnatie", "evaluatie"), NOW)
    assert not moved.refused and moved.case.step == "team_no" and "stagnation" in moved.case.flags
    early = consult(route_engine, "afspraken")
    refused = route_engine.advance(early.case, IB, inp.DoAction("stagnatie", "afspraken"), NOW)
    assert refused.events == (ev.Refused(IB.member_id, "access.stale"),)


def test_serious_absence_brings_in_the_leerplichtambtenaar(route_engine: RouteEngine) -> None:
    r = signal(route_engine)
    done = route_engine.advance(r.case, TEACHER, inp.DoAction("ernstig_verzuim", "consult"), NOW)
    assert "verzuim" in done.case.flags
    assert (("leerplicht", "ib", "directie"), "mvs_po.notify.absence") in notified(done)


def test_a_teacher_cannot_do_the_ibs_consult(route_engine: RouteEngine) -> None:
    r = signal(route_engine)
    assert route_engine.advance(r.case, TEACHER, inp.Open("consult"), NOW).events == (
        ev.Refused(TEACHER.member_id, "access.wrong_role"),
    )
