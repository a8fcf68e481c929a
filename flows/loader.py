"""Route files (YAML) → `Route` objects, validated so that a region's edit fails at start with an error
that names the file, the step and the problem — never halfway through a family's case."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any

from pydantic import ValidationError

from flows import participation_schema
from flows.file_schema import dotted, first_problem
from flows.route import Effect, Route, Step
from flows.route_schema import PROBLEMS, RouteFile
from flows.yaml_text import YAMLError, load_yaml


class RouteError(ValueError):
    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}: {where}: {problem}")


def parse_route(text: str, source: str = "<route>") -> Route:
    try:
        raw = load_yaml(text)
    except YAMLError as exc:
        raise RouteError(source, "yaml", str(exc).replace("\n", " ")) from exc
    return build_route(raw, source)


def build_route(raw: Any, source: str) -> Route:
    """Validate against the schema (flows/route_schema.py), build the engine's `Route`, then check what a
    schema cannot say: that the steps, fields and actions a route names exist."""
    if not isinstance(raw, dict):
        raise RouteError(source, "route", f"expected a mapping, got {type(raw).__name__}")
    try:
        spec = RouteFile.model_validate(raw)
    except ValidationError as exc:
        loc, problem = first_problem(exc, RouteFile, PROBLEMS)
        raise RouteError(source, dotted(loc) or "route", problem) from None
    route = spec.build()
    for where, problem in _dangling_references(route):
        raise RouteError(source, where, problem)
    for where, problem in participation_schema.problems(route):
        raise RouteError(source, where, problem)
    return route


def _dangling_references(route: Route) -> Iterator[tuple[str, str]]:
    """(where, problem) for every step, field and action the route names but does not have, and for steps
    no case can reach: a case must never walk into a dead end."""
    yield from _steps(route, "start.step", [route.start.step])
    yield from _steps(route, "entry", [route.entry])
    for step in route.steps.values():
        yield from _step_references(route, step)
    for action in route.actions.values():
        yield from _steps(route, f"actions.{action.id}.to", [action.to])
        yield from _steps(route, f"actions.{action.id}.enter_route.return_to", _returns(action.effects))
        yield from _steps(route, f"actions.{action.id}.steps", action.steps)
    unreachable = sorted(set(route.steps) - _reachable(route))
    if unreachable:
        yield "steps", f"unreachable step(s): {', '.join(unreachable)}"
    # A milestone naming a step the route does not have would silently never be reached.
    for i, milestone in enumerate(route.milestones):
        yield from _steps(route, f"milestones[{i}].from", milestone.from_steps)
        yield from _steps(route, f"milestones[{i}].to", milestone.to_steps)


def _step_references(route: Route, step: Step) -> Iterator[tuple[str, str]]:
    where = f"steps.{step.id}"
    fields = [f.id for f in step.fields]
    for i, t in enumerate(step.transitions):
        yield from _steps(route, f"{where}.transitions[{i}].to", [t.to])
        yield from _steps(route, f"{where}.transitions[{i}].enter_route.return_to", _returns(t.effects))
        for fid, _ in t.when.equals:
            if fid not in fields:
                yield f"{where}.transitions[{i}].when", f"unknown field {fid!r} of this step"
        for eff in t.effects:
            if eff.kind == "record_consent":
                for key, fid in eff.args.items():
                    if fid not in fields:
                        yield (
                            f"{where}.transitions[{i}].record_consent.{key}",
                            f"unknown field {fid!r} of this step",
                        )
    for i, f in enumerate(step.fields):
        for fid, _ in f.when.equals:
            if fid not in fields[:i]:
                yield f"{where}.fields[{i}].when", f"{fid!r} is not an earlier field of this step"
    for fu in step.follow_ups:
        here = f"{where}.follow_ups.{fu.id}"
        yield from _steps(route, f"{here}.to", [fu.to])
        yield from _actions(route, f"{here}.actions", fu.actions)
        if fu.on_date is not None:
            yield from _date_field(route, f"{here}.on_date", *fu.on_date)
    for eff in (*step.on_enter, *(e for t in step.transitions for e in t.effects)):
        if eff.kind == "notify":
            yield from _actions(route, f"{where}.notify.actions", eff.args["actions"])


def _steps(route: Route, where: str, step_ids: Iterable[str | None]) -> Iterator[tuple[str, str]]:
    for sid in step_ids:
        if sid is not None and sid not in route.steps:
            yield where, f"unknown step {sid!r}"


def _actions(route: Route, where: str, action_ids: Iterable[str]) -> Iterator[tuple[str, str]]:
    for action in action_ids:
        if action not in route.actions:
            yield where, f"unknown action {action!r}"


def _date_field(route: Route, where: str, step_id: str, field_id: str) -> Iterator[tuple[str, str]]:
    if step_id not in route.steps:
        yield where, f"unknown step {step_id!r}"
        return
    found = route.steps[step_id].field(field_id)
    if found is None or found.kind != "date":
        yield where, f"{step_id}.{field_id} is not a date field"


def _returns(effects: Iterable[Effect]) -> list[str]:
    """The steps a sub-route hands the case back to."""
    return [e.args["return_to"] for e in effects if e.kind == "enter_route" and e.args.get("return_to")]


def _reachable(route: Route) -> set[str]:
    seen: set[str] = set()
    todo = [route.entry_step, route.start.step, *(a.to for a in route.actions.values() if a.to)]
    todo.extend(_returns(e for a in route.actions.values() for e in a.effects))
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in route.steps:
            continue
        seen.add(sid)
        step = route.steps[sid]
        todo.extend(t.to for t in step.transitions if t.to)
        todo.extend(f.to for f in step.follow_ups if f.to)
        todo.extend(_returns(e for t in step.transitions for e in t.effects))
    return seen


def route_msgids(route: Route) -> set[str]:
    """Every message id a route file refers to (for the catalog check and the Babel extractor)."""
    ids: set[str] = set()
    for step in route.steps.values():
        ids.add(step.title)
        ids.update(t.label for t in step.transitions if t.label)
        for f in step.fields:
            ids.add(f.prompt)
            if f.label:
                ids.add(f.label)
            ids.update(o.label for o in f.options)
        effects = [
            *step.on_enter,
            *(e for t in step.transitions for e in t.effects),
            *(e for fu in step.follow_ups for e in fu.effects),
        ]
        ids.update(_effect_msgids(effects))
    for action in route.actions.values():
        ids.add(action.label)
        ids.update(_effect_msgids(action.effects))
    ids.update(m.label for m in route.milestones)
    return ids


def _effect_msgids(effects: Iterable[Effect]) -> set[str]:
    out: set[str] = set()
    for eff in effects:
        if eff.kind == "notify":
            out.add(eff.args["message"])
        elif eff.kind in ("say", "status"):
            out.add(eff.args)
    return out


def builtin_route_files() -> dict[str, str]:
    """The shipped route files, by file name (read from the package, so an installed wheel has them)."""
    folder = resources.files("flows") / "routes"
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".yaml")}
