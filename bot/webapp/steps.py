"""Filling in a step from the Mini App's one-screen form: the answers go into the engine one by one, in
the order the engine asks for them (so conditions and validation are the engine's, exactly as in chat),
through the same CaseService. The first refusal stops it; the caller then commits nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from bot.services.cases import CaseService, Outcome
from flows import events as ev
from flows import inputs as inp
from flows.route import Route
from storage.models import Member

MAX_INPUTS = 200  # a step's fields times its ticks; a guard against a route that asks in circles


async def fill_step(
    cases: CaseService,
    member: Member,
    route: Route,
    ref: str,
    step_id: str,
    given: Mapping[str, Sequence[str]],
) -> Outcome:
    """Open `step_id` and answer every field the engine asks for from `given`; returns the last outcome:
    a Summary to confirm, or a refusal (a required answer missing, a date out of range, ...)."""
    fields = {f.id: f for f in route.step(step_id).fields}
    outcome = await cases.advance(member, ref, inp.Open(step_id))
    for _ in range(MAX_INPUTS):
        if outcome.refused or any(isinstance(e, ev.Summary) for e in outcome.events):
            return outcome
        prompt = next((e for e in reversed(outcome.events) if isinstance(e, ev.Prompt)), None)
        if prompt is None or prompt.field not in fields:
            return outcome
        values = [v for v in given.get(prompt.field, ()) if v.strip()]
        for answer in _inputs(prompt, values):
            outcome = await cases.advance(member, ref, answer)
            if outcome.refused:
                return outcome
    return outcome


def _inputs(prompt: ev.Prompt, values: list[str]) -> Iterator[inp.Input]:
    step, field = prompt.step, prompt.field
    if prompt.kind == "multi" or (prompt.kind == "member" and prompt.multiple):
        wanted = set(values)
        for value in sorted(wanted ^ set(prompt.selected)):  # tick the new ones, untick the dropped ones
            yield inp.Toggle(step, field, value)
        yield inp.Done(step, field)
    elif not values:
        yield inp.Done(step, field)  # skip: the engine refuses it when the field is required
    elif prompt.kind in ("choice", "member"):
        yield inp.Choose(step, field, values[0])
    elif prompt.kind == "date":
        yield inp.SetValue(step, field, values[0])  # <input type="date"> sends ISO dates
    else:
        yield inp.Answer(values[0])
