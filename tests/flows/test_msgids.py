"""Every message id a route carries is a `Msg` however the route was built, and the engine's events carry
them as `Msg`: that type, not the shape of a string, is what the edge translates."""

from __future__ import annotations

import json

from flows import events as ev
from flows.engine import RouteEngine
from flows.msgids import N_, Msg
from flows.registry import builtin_registry
from flows.route import Action, Effect, Field, Option, Step, Transition
from tests.flows.route_driver import actor, start


def _route_msgids() -> list[object]:
    out: list[object] = []
    for route in builtin_registry().current():
        out += [m.label for m in route.milestones] + [a.label for a in route.actions.values()]
        for step in route.steps.values():
            out.append(step.title)
            out += [t.label for t in step.transitions if t.label is not None]
            for field in step.fields:
                out += [field.prompt, *(o.label for o in field.options)]
            effects = [*step.on_enter, *(e for t in step.transitions for e in t.effects)]
            effects += [e for f in step.follow_ups for e in f.effects]
            out += [e.args for e in effects if e.kind == "say"]
            out += [e.args["message"] for e in effects if e.kind == "notify"]
    return out


def test_the_shipped_routes_carry_their_msgids_as_msg() -> None:
    found = _route_msgids()
    assert len(found) > 100
    assert [m for m in found if not isinstance(m, Msg)] == []


def test_the_route_dataclasses_make_msg_of_plain_strings() -> None:
    """Whoever builds a route (the loader, a test, a schema) gets Msg without asking for it."""
    assert isinstance(Option("ja", "x.ja").label, Msg)
    assert isinstance(Field("f", "text", "x.prompt").prompt, Msg)
    assert isinstance(Step("s", ("ib",), "x.title").title, Msg)
    assert isinstance(Action("a", ("ib",), "x.action").label, Msg)
    assert isinstance(Transition(None, label="x.arrow").label, Msg) and Transition(None).label is None
    assert isinstance(Effect("say", "x.say").args, Msg)
    assert isinstance(Effect("notify", {"roles": ("ib",), "message": "x.n"}).args["message"], Msg)
    assert Effect("flag", "safety").args == "safety" and not isinstance(Effect("flag", "safety").args, Msg)


def test_a_msg_is_its_string_for_json_and_comparison_but_derived_text_is_not_a_msg() -> None:
    msg = N_("engine.submitted")
    assert msg == "engine.submitted" and hash(msg) == hash("engine.submitted")
    assert json.dumps({"m": msg}) == '{"m": "engine.submitted"}'
    assert (
        not isinstance(msg + "x", Msg) and not isinstance(str(msg), Msg) and not isinstance(msg.upper(), Msg)
    )


def test_the_engine_emits_msgids_as_msg_and_what_people_wrote_as_plain_text() -> None:
    engine = RouteEngine(builtin_registry())
    juf = actor(1, "leerkracht")
    answers = {
        "pupil": "AB 5",
        "area": "zorg",
        "observations": ["gedrag"],
        "notes": "zie.verslag",
        "safety": "nee",
    }
    result = start(engine, "vlaardingen", juf, answers)
    says = [e for e in result.events if isinstance(e, ev.Say)]
    assert says and all(isinstance(e.message, Msg) for e in says)
    submitted = next(e for e in says if e.message == "engine.submitted")
    assert isinstance(submitted.params["step"], Msg) and not isinstance(submitted.params["ref"], Msg)
    assert result.case.data["signaal"]["notes"] == "zie.verslag"
    assert not isinstance(result.case.data["signaal"]["notes"], Msg)
