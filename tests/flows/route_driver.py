"""A small driver for route tests: fill in a step the way a member would, prompt by prompt.

It answers whatever the engine asks next from a dict of answers, so a test reads like the form a
member fills in (field id → answer) rather than a list of low-level inputs, and it fails loudly when
the engine asks for a field the test did not expect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flows import events as ev
from flows import inputs as inp
from flows.engine import Result, RouteEngine
from flows.participants import SIGNALLED
from flows.policy import Actor

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SCHOOL = 10
Answers = dict[str, Any]


def actor(member_id: int, *roles: str, school: int = SCHOOL) -> Actor:
    return Actor(member_id, school, frozenset(roles))


def _answer_prompts(route_engine: RouteEngine, result: Result, who: Actor, answers: Answers) -> Result:
    step = result.case.step
    # Only this step's questions: when it ends and the next step is `who`'s too, its first question
    # follows at once, for the next `fill`.
    while (prompt := _prompt_on(result, step)) is not None:
        if prompt.field not in answers:
            raise AssertionError(f"step {step} asked for {prompt.field!r}, which the test does not answer")
        value = answers[prompt.field]
        given: list[inp.Input]
        if value is None:
            given = [inp.Done(step, prompt.field)]
        elif prompt.kind == "choice":
            given = [inp.Choose(step, prompt.field, str(value))]
        elif prompt.kind == "multi" or (prompt.kind == "member" and isinstance(value, list)):
            given = [*(inp.Toggle(step, prompt.field, str(v)) for v in value), inp.Done(step, prompt.field)]
        elif prompt.kind == "member":  # a member id the edge offered (flows/participation_schema.py)
            given = [inp.Choose(step, prompt.field, str(value))]
        else:
            given = [inp.Answer(str(value))]
        for item in given:
            result = route_engine.advance(result.case, who, item, NOW)
            assert not result.refused, (step, prompt.field, result.events)
    return result


def _prompt_on(result: Result, step: str) -> ev.Prompt | None:
    return next((e for e in result.events if isinstance(e, ev.Prompt) and e.step == step), None)


def start(
    route_engine: RouteEngine, route_id: str, who: Actor, answers: Answers, ref: str = "Z-0001"
) -> Result:
    """Start a case and submit its first step."""
    started = route_engine.start(route_id, who, ref=ref, now=NOW)
    assert isinstance(started, Result), started
    step = started.case.step
    return _confirm(route_engine, _answer_prompts(route_engine, started, who, answers), who, step)


def fill(route_engine: RouteEngine, result: Result, who: Actor, answers: Answers) -> Result:
    """Open the case's current step as `who`, answer its fields and submit it."""
    opened = route_engine.advance(result.case, who, inp.Open(result.case.step), NOW)
    assert not opened.refused, opened.events
    step = result.case.step
    return _confirm(route_engine, _answer_prompts(route_engine, opened, who, answers), who, step)


def _confirm(route_engine: RouteEngine, result: Result, who: Actor, step: str) -> Result:
    if any(isinstance(e, ev.Summary) and e.step == step for e in result.events):
        return route_engine.advance(result.case, who, inp.Confirm(step), NOW)
    return result


def is_status(event: ev.Event) -> bool:
    """A status update to the member who signalled (flows/engine.py `_status`): pinned by the goldens."""
    return isinstance(event, ev.Notify) and not event.roles and event.participants == (SIGNALLED,)


def notified(result: Result) -> list[tuple[tuple[str, ...], str]]:
    """The route's own notifications (status updates to the signaller left out)."""
    return [(e.roles, e.message) for e in result.events if isinstance(e, ev.Notify) and not is_status(e)]


def said(result: Result) -> list[str]:
    return [e.message for e in result.events if isinstance(e, ev.Say)]


def scheduled(result: Result) -> list[str]:
    return [e.follow_up for e in result.events if isinstance(e, ev.ScheduleFollowUp)]
