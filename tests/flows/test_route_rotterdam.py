"""Rotterdam toeleiding school → wijkteam (seed 001): the PO and VO twins on the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from route_driver import NOW, actor, fill, notified, said, scheduled, start

from flows import events as ev
from flows import inputs as inp
from flows.engine import Result, RouteEngine
from flows.participants import members_for
from flows.policy import Actor
from flows.registry import builtin_registry
from flows.route import Effect, Route


@dataclass(frozen=True)
class Side:
    """Who plays which part in one of the two variants."""

    route: str
    teacher: Actor  # leerkracht (PO) / mentor (VO)
    care: Actor  # IB-er (PO) / zorgcoördinator (VO)


PO = Side("rotterdam_po", actor(1, "leerkracht"), actor(2, "ib"))
VO = Side("rotterdam_vo", actor(1, "mentor"), actor(2, "zorgcoordinator"))
SMW = actor(3, "smw")
WTL = actor(4, "wijkteamleider")
JGC = actor(5, "jgc")
DIRECTIE = actor(6, "directie")


@pytest.fixture(scope="module")
def route_engine() -> RouteEngine:
    return RouteEngine(builtin_registry())


def signal(route_engine: RouteEngine, side: Side, safety: str = "nee") -> Result:
    return start(
        route_engine,
        side.route,
        side.teacher,
        {"pupil": "AB 5b", "domains": ["school", "thuis"], "notes": "Slaapt slecht", "safety": safety},
    )


def to_hulpvraag(route_engine: RouteEngine, side: Side) -> Result:
    r = fill(
        route_engine,
        signal(route_engine, side),
        SMW,
        {
            "sev_school": "matig",
            "sev_thuis": "ernstig",
            "sev_vrije_tijd": "licht",
            "talked_with": ["leerling", "ouders"],
            "notes": None,
        },
    )
    assert r.case.step == "overleg"
    return fill(route_engine, r, side.care, {"outcome": "arrangement"})


def consent(answer: str) -> dict[str, Any]:
    return {
        "question": "Rust thuis",
        "goals": "Weer naar school met plezier",
        "aligned": ["leerling", "ouders"],
        "method": "gesprek",
        "consent": answer,
        "date": "20-11-2026",
    }


@pytest.mark.parametrize("side", [PO, VO], ids=["po", "vo"])
def test_the_ten_steps_run_from_signal_to_aftercare(route_engine: RouteEngine, side: Side) -> None:
    r = signal(route_engine, side)
    assert r.case.step == "smw_ernst" and notified(r) == [(("smw",), "rotterdam.notify.new_signal")]
    r = to_hulpvraag(route_engine, side)
    r = fill(route_engine, r, SMW, consent("given"))
    assert r.case.consent_given and r.case.step == "bel_wijkteam"
    r = fill(route_engine, r, SMW, {"neighbourhood": "Feijenoord", "place": "thuis", "inviter": "wijkteam"})
    assert notified(r) == [(("wijkteamleider",), "rotterdam.notify.to_wijkteamleider")]
    assert scheduled(r) == ["assign_reminder", "assign_overdue"]
    r = fill(route_engine, r, WTL, {"coach": JGC.member_id, "note": None})
    assert r.case.assigned["wijkteamleider"] == WTL.member_id and r.case.step == "document"
    r = fill(
        route_engine,
        r,
        SMW,
        {
            "family": "Moeder en twee kinderen",
            "strengths": "Betrokken moeder",
            "involved": None,
            "school_info": "Veel verzuim",
        },
    )
    # "Aan je toegewezen": the one coach the wijkteamleider picked, not every coach at the school.
    assert notified(r) == [(("jgc",), "rotterdam.notify.document_sent")]  # the policy narrows it (below)
    assert members_for(r.case, ["coach"]) == {JGC.member_id}
    other = actor(6, "jgc")
    assert route_engine.advance(r.case, other, inp.Open("ontvangst"), NOW).refused
    r = fill(route_engine, r, JGC, {"complete": "ja"})
    assert r.case.regiehouder == "jgc" and r.case.assigned["jgc"] == JGC.member_id
    r = fill(
        route_engine,
        r,
        JGC,
        {"date": "01-12-2026", "place": "school", "invited": ["leerling", "ouders", "smw"]},
    )
    # The warm handover records which of the six topics were covered.
    r = fill(
        route_engine,
        r,
        JGC,
        {
            "discussed": ["hulpvraag", "doelen", "prioriteiten", "acties", "terugkoppeling", "evaluatie"],
            "agreements": "Wekelijks contact",
            "evaluation": "01-03-2027",
        },
    )
    assert r.case.data["overdracht"]["discussed"] == [
        "hulpvraag",
        "doelen",
        "prioriteiten",
        "acties",
        "terugkoppeling",
        "evaluatie",
    ]
    r = fill(route_engine, r, JGC, {"in_dossier": "ja", "summary": None})
    assert r.case.step == "tussentijds" and scheduled(r) == ["interim_due"]
    # Interim consultations repeat (each restarts its deadline) until the trajectory is ready to close.
    r = fill(route_engine, r, side.care, {"progress": "op_koers", "tips": "Vaste plek in de klas"})
    assert r.case.step == "tussentijds" and r.case.counters["interim_meetings"] == 1
    assert scheduled(r) == ["interim_due"]
    r = fill(route_engine, r, SMW, {"progress": "afronden", "tips": None})
    r = fill(
        route_engine, r, JGC, {"goals_met": "ja", "next": "nazorg", "aftercare": "SMW belt over 6 weken"}
    )
    assert r.case.status == "closed" and r.case.step == "afgerond" and r.case.outcome == "afgerond"
    assert any(isinstance(e, ev.CaseClosed) for e in r.events)


@pytest.mark.parametrize(("side", "other"), [(PO, VO), (VO, PO)], ids=["po", "vo"])
def test_each_variant_has_its_own_actors(route_engine: RouteEngine, side: Side, other: Side) -> None:
    # The other variant's teacher cannot start this one; its care coordinator cannot run the care meeting.
    assert isinstance(route_engine.start(side.route, other.teacher, ref="Z-0009", now=NOW), ev.Refused)
    r = fill(
        route_engine,
        signal(route_engine, side),
        SMW,
        {
            "sev_school": "licht",
            "sev_thuis": "licht",
            "sev_vrije_tijd": "geen",
            "talked_with": ["ouders"],
            "notes": None,
        },
    )
    # The other variant's coordinator is no part of this route's care team: the case does not exist for them.
    refused = route_engine.advance(r.case, other.care, inp.Open("overleg"), NOW)
    assert refused.events == (ev.Refused(other.care.member_id, "access.not_found"),)
    assert refused.case is r.case
    assert not route_engine.advance(r.case, side.care, inp.Open("overleg"), NOW).refused


def test_only_the_roles_of_a_step_may_act(route_engine: RouteEngine) -> None:
    r = signal(route_engine, PO)
    # The school's own people see the case but may not do the SMW-er's part ...
    for who in (PO.teacher, PO.care):
        assert route_engine.advance(r.case, who, inp.Open("smw_ernst"), NOW).events == (
            ev.Refused(who.member_id, "access.wrong_role"),
        )
    # ... and the wijkteam does not even learn of the case before it is referred to them.
    for who in (JGC, WTL):
        assert route_engine.advance(r.case, who, inp.Open("smw_ernst"), NOW).events == (
            ev.Refused(who.member_id, "access.not_found"),
        )


def test_without_the_parents_agreement_the_wijkteam_is_not_called(route_engine: RouteEngine) -> None:
    r = fill(route_engine, to_hulpvraag(route_engine, PO), SMW, consent("refused"))
    assert r.case.step == "overleg" and r.case.consent is not None and r.case.consent.status == "refused"
    assert "rotterdam.say.consent_refused" in said(r)
    assert (("ib",), "rotterdam.notify.consent_refused") in notified(r)


def test_the_care_meeting_can_keep_it_in_school(route_engine: RouteEngine) -> None:
    r = fill(
        route_engine,
        signal(route_engine, VO),
        SMW,
        {
            "sev_school": "licht",
            "sev_thuis": "geen",
            "sev_vrije_tijd": "geen",
            "talked_with": ["leerling"],
            "notes": None,
        },
    )
    again = fill(route_engine, r, VO.care, {"outcome": "volgen"})
    assert again.case.step == "overleg" and scheduled(again) == ["overleg_due"]
    closed = fill(route_engine, again, VO.care, {"outcome": "school"})
    assert closed.case.status == "closed" and closed.case.outcome == "binnen_school"
    assert closed.case.regiehouder == "zorgcoordinator"


def test_the_coach_can_send_the_document_back_for_questions(route_engine: RouteEngine) -> None:
    r = fill(route_engine, to_hulpvraag(route_engine, PO), SMW, consent("given"))
    r = fill(route_engine, r, SMW, {"neighbourhood": "Delfshaven", "place": "school", "inviter": "smw"})
    r = fill(route_engine, r, WTL, {"coach": JGC.member_id, "note": "Graag snel"})
    r = fill(route_engine, r, SMW, {"family": "x", "strengths": "y", "involved": None, "school_info": "z"})
    back = fill(route_engine, r, JGC, {"complete": "vragen"})
    assert back.case.step == "document" and notified(back) == [
        (("smw",), "rotterdam.notify.document_questions")
    ]
    assert back.case.regiehouder is None


def test_safety_first(route_engine: RouteEngine) -> None:
    r = signal(route_engine, PO, safety="ja")
    assert r.case.priority == "first" and "safety" in r.case.flags
    assert "common.say.safety" in said(r)
    urgent = [e for e in r.events if isinstance(e, ev.Notify) and e.urgent]
    assert urgent and set(urgent[0].roles) == {"smw", "ib", "directie"}


def test_the_toeleidingsdocument_setting_names_real_steps() -> None:
    for route_id in ("rotterdam_po", "rotterdam_vo"):
        route = builtin_registry().latest(route_id)
        doc = route.settings["toeleidingsdocument"]
        assert set(doc["steps"]) <= set(route.steps) and doc["shown_on"] in route.steps
        # The coach must be the one who sees it.
        assert "jgc" in route.step(doc["shown_on"]).actors


# -- keeping the twins in sync --------------------------------------------------------------------
VO_TO_PO = {"zorgcoordinator": "ib", "mentor": "leerkracht"}


def _roles(roles: tuple[str, ...] | str) -> tuple[str, ...]:
    items = (roles,) if isinstance(roles, str) else roles
    return tuple(VO_TO_PO.get(r, r) for r in items)


def _msgid(msgid: str) -> str:
    return msgid.replace("rotterdam_vo.", "rotterdam_po.")


def _effect(effect: Effect) -> tuple[Any, ...]:
    args = effect.args
    if effect.kind == "notify":
        return ("notify", _roles(args["roles"]), _msgid(args["message"]), args["urgent"], args["when_flag"])
    if effect.kind in ("assign_regiehouder", "assign_actor"):
        return (effect.kind, _roles(args))
    if effect.kind == "say":
        return ("say", _msgid(args))
    if effect.kind == "record_consent":
        return ("record_consent", tuple(sorted(args.items())))
    return (effect.kind, args)


def graph(route: Route) -> dict[str, Any]:
    """What PO and VO must share: steps, fields, transitions, effects (VO roles and msgids mapped to PO's)."""
    out: dict[str, Any] = {
        "start": (route.start.command, _roles(route.start.roles), route.start.step),
        "vot": _roles(route.vot),
        "actions": {},
    }
    for step in route.steps.values():
        out[step.id] = (
            _roles(step.actors),
            _msgid(step.title),
            step.confirm,
            step.terminal,
            tuple(
                (
                    f.id,
                    f.kind,
                    _msgid(f.prompt),
                    tuple((o.value, _msgid(o.label)) for o in f.options),
                    f.optional,
                    f.max_length,
                    f.when,
                    f.sensitive,
                )
                for f in step.fields
            ),
            tuple(
                (t.to, t.when, t.requires_consent, tuple(map(_effect, t.effects))) for t in step.transitions
            ),
            tuple((fu.id, fu.after, fu.to, tuple(map(_effect, fu.effects))) for fu in step.follow_ups),
            tuple(map(_effect, step.on_enter)),
        )
    for action in route.actions.values():
        out["actions"][action.id] = (
            _roles(action.roles),
            _msgid(action.label),
            action.to,
            action.steps,
            tuple(map(_effect, action.effects)),
        )
    return out


def test_po_and_vo_have_the_same_step_graph() -> None:
    registry = builtin_registry()
    po, vo = graph(registry.latest("rotterdam_po")), graph(registry.latest("rotterdam_vo"))
    assert po.keys() == vo.keys()
    for key in po:
        assert po[key] == vo[key], key


def test_vo_never_names_the_po_roles() -> None:
    vo = builtin_registry().latest("rotterdam_vo")
    mentioned = {r for s in vo.steps.values() for r in s.actors} | set(vo.start.roles) | set(vo.vot)
    assert not mentioned & {"ib", "leerkracht"}
