"""Route files (YAML) → `Route` objects, validated so that a region's edit fails at start with an error
that names the file, the step and the problem — never halfway through a family's case."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any

from pydantic import ValidationError

from flows.file_schema import dotted, first_problem
from flows.route import Effect, Route
from flows.route_schema import EFFECT_PROBLEM, PATTERN_PROBLEMS, RouteFile
from flows.yaml_text import YAMLError, load_yaml


class RouteError(ValueError):
    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}: {where}: {problem}")


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> RouteError:
        return RouteError(self.source, where, problem)


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
        loc, problem = first_problem(exc, RouteFile, {**PATTERN_PROBLEMS, "effect": EFFECT_PROBLEM})
        raise RouteError(source, dotted(loc) or "route", problem) from None
    route = spec.build()
    ctx = _Ctx(source)
    _check_references(ctx, route)
    _check_milestones(ctx, route)
    return route


def _check_milestones(ctx: _Ctx, route: Route) -> None:
    """A milestone naming a step the route does not have would silently never be reached."""
    for i, milestone in enumerate(route.milestones):
        for key, steps in (("from", milestone.from_steps), ("to", milestone.to_steps)):
            for sid in steps:
                if sid not in route.steps:
                    raise ctx.fail(f"milestones[{i}].{key}", f"unknown step {sid!r}")


def _check_references(ctx: _Ctx, route: Route) -> None:
    """Every step, field and action a route names must exist, so no case can reach a dead end."""
    if route.start.step not in route.steps:
        raise ctx.fail("start.step", f"unknown step {route.start.step!r}")
    for step in route.steps.values():
        where = f"steps.{step.id}"
        known_fields = {f.id for f in step.fields}
        for i, t in enumerate(step.transitions):
            if t.to is not None and t.to not in route.steps:
                raise ctx.fail(f"{where}.transitions[{i}].to", f"unknown step {t.to!r}")
            for fid, _ in t.when.equals:
                if fid not in known_fields:
                    raise ctx.fail(f"{where}.transitions[{i}].when", f"unknown field {fid!r} of this step")
            _check_effect_fields(ctx, t.effects, known_fields, f"{where}.transitions[{i}]")
        for i, f in enumerate(step.fields):
            for fid, _ in f.when.equals:
                if fid not in [g.id for g in step.fields[:i]]:
                    raise ctx.fail(
                        f"{where}.fields[{i}].when", f"{fid!r} is not an earlier field of this step"
                    )
        for fu in step.follow_ups:
            if fu.to is not None and fu.to not in route.steps:
                raise ctx.fail(f"{where}.follow_ups.{fu.id}.to", f"unknown step {fu.to!r}")
            _check_actions(ctx, route, fu.actions, f"{where}.follow_ups.{fu.id}.actions")
            if fu.on_date is not None:
                _check_date_field(ctx, route, fu.on_date, f"{where}.follow_ups.{fu.id}.on_date")
        for eff in (*step.on_enter, *(e for t in step.transitions for e in t.effects)):
            if eff.kind == "notify":
                _check_actions(ctx, route, eff.args["actions"], f"{where}.notify.actions")
    for action in route.actions.values():
        if action.to is not None and action.to not in route.steps:
            raise ctx.fail(f"actions.{action.id}.to", f"unknown step {action.to!r}")
        for sid in action.steps:
            if sid not in route.steps:
                raise ctx.fail(f"actions.{action.id}.steps", f"unknown step {sid!r}")
    reachable = _reachable(route)
    unreachable = sorted(set(route.steps) - reachable)
    if unreachable:
        raise ctx.fail("steps", f"unreachable step(s): {', '.join(unreachable)}")


def _check_effect_fields(ctx: _Ctx, effects: tuple[Effect, ...], fields: set[str], where: str) -> None:
    for eff in effects:
        if eff.kind == "record_consent":
            for key in ("status", "method", "date"):
                if eff.args[key] not in fields:
                    raise ctx.fail(
                        f"{where}.record_consent.{key}", f"unknown field {eff.args[key]!r} of this step"
                    )


def _check_date_field(ctx: _Ctx, route: Route, ref: tuple[str, str], where: str) -> None:
    step_id, field_id = ref
    if step_id not in route.steps:
        raise ctx.fail(where, f"unknown step {step_id!r}")
    found = route.steps[step_id].field(field_id)
    if found is None or found.kind != "date":
        raise ctx.fail(where, f"{step_id}.{field_id} is not a date field")


def _check_actions(ctx: _Ctx, route: Route, actions: tuple[str, ...], where: str) -> None:
    for action in actions:
        if action not in route.actions:
            raise ctx.fail(where, f"unknown action {action!r}")


def _reachable(route: Route) -> set[str]:
    seen: set[str] = set()
    todo = [route.start.step, *(a.to for a in route.actions.values() if a.to)]
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in route.steps:
            continue
        seen.add(sid)
        step = route.steps[sid]
        todo.extend(t.to for t in step.transitions if t.to)
        todo.extend(f.to for f in step.follow_ups if f.to)
    return seen


def route_msgids(route: Route) -> set[str]:
    """Every message id a route file refers to (for the catalog check and the Babel extractor)."""
    ids: set[str] = set()
    for step in route.steps.values():
        ids.add(step.title)
        ids.update(t.label for t in step.transitions if t.label)
        for f in step.fields:
            ids.add(f.prompt)
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
        elif eff.kind == "say":
            out.add(eff.args)
    return out


def builtin_route_files() -> dict[str, str]:
    """The shipped route files, by file name (read from the package, so an installed wheel has them)."""
    folder = resources.files("flows") / "routes"
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".yaml")}
