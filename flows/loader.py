"""Route files (YAML) → `Route` objects, validated so that a region's edit fails at start with an error
that names the file, the step and the problem — never halfway through a family's case."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from flows import participation_schema
from flows.roles import ROLES
from flows.route import (
    EFFECT_KINDS,
    FIELD_KINDS,
    Action,
    Condition,
    Effect,
    Field,
    FollowUp,
    Milestone,
    Option,
    Route,
    Start,
    Step,
    Transition,
)
from flows.yaml_text import YAMLError, load_yaml

_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_MSGID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
_DURATION = re.compile(r"^\d+\s*(school ?days?|schooldagen|schooldag|days?|dagen|dag|hours?|uur|sd|d|h)$")
_HOURS = re.compile(r"^\d+\s*(hours?|uur|h)$")
_AT = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RouteError(ValueError):
    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}: {where}: {problem}")


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source
        self.msgids: set[str] = set()

    def fail(self, where: str, problem: str) -> RouteError:
        return RouteError(self.source, where, problem)

    def mapping(
        self, value: Any, where: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        allowed_set = set(allowed)
        unknown = sorted(set(value) - allowed_set)
        if unknown:
            raise self.fail(
                where,
                f"unknown key(s) {', '.join(map(str, unknown))}; allowed: {', '.join(sorted(allowed_set))}",
            )
        missing = [k for k in required if k not in value]
        if missing:
            raise self.fail(where, f"missing key(s) {', '.join(missing)}")
        return dict(value)

    def ident(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(where, f"{value!r} is not an id (lowercase letters, digits, _; max 32)")
        return value

    def msgid(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _MSGID.match(value):
            raise self.fail(where, f"{value!r} is not a message id like 'route.step.text'")
        self.msgids.add(value)
        return value

    def roles(self, value: Any, where: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        for role in items:
            if role not in ROLES:
                raise self.fail(where, f"unknown role {role!r}; known roles: {', '.join(sorted(ROLES))}")
        return tuple(items)


def parse_route(text: str, source: str = "<route>") -> Route:
    try:
        raw = load_yaml(text)
    except YAMLError as exc:
        raise RouteError(source, "yaml", str(exc).replace("\n", " ")) from exc
    return build_route(raw, source)


def build_route(raw: Any, source: str) -> Route:
    ctx = _Ctx(source)
    raw, participation = participation_schema.split(raw, ctx.fail)
    top = ctx.mapping(
        raw,
        "route",
        {
            "id",
            "version",
            "name",
            "region",
            "source",
            "school_kinds",
            "synonyms",
            "vot",
            "start",
            "steps",
            "actions",
            "settings",
            "milestones",
        },
        {"id", "version", "name", "start", "steps"},
    )
    route_id = ctx.ident(top["id"], "id")
    version = top["version"]
    if not isinstance(version, int) or version < 1:
        raise ctx.fail("version", "must be a positive whole number")
    name = top["name"]
    if not isinstance(name, Mapping) or "nl" not in name or "en" not in name:
        raise ctx.fail("name", "needs a Dutch (nl) and an English (en) name")
    synonyms_raw = ctx.mapping(top.get("synonyms", {}), "synonyms", ROLES)
    synonyms = {role: ctx.roles(others, f"synonyms.{role}") for role, others in synonyms_raw.items()}
    kinds = tuple(top.get("school_kinds", ["po", "vo"]))
    if not set(kinds) <= {"po", "vo"} or not kinds:
        raise ctx.fail("school_kinds", "must list po and/or vo")

    steps_raw = top["steps"]
    if not isinstance(steps_raw, Mapping) or not steps_raw:
        raise ctx.fail("steps", "must be a non-empty mapping of step id to step")
    steps = {ctx.ident(sid, f"steps.{sid}"): _step(ctx, sid, s) for sid, s in steps_raw.items()}
    actions_raw = ctx.mapping(top.get("actions", {}), "actions", top.get("actions", {}) or {})
    actions = {ctx.ident(aid, f"actions.{aid}"): _action(ctx, aid, a) for aid, a in actions_raw.items()}

    start_raw = ctx.mapping(top["start"], "start", {"command", "roles", "step"}, {"command", "roles", "step"})
    start = Start(
        command=ctx.ident(start_raw["command"], "start.command"),
        roles=ctx.roles(start_raw["roles"], "start.roles"),
        step=str(start_raw["step"]),
    )
    route = Route(
        id=route_id,
        version=version,
        name={str(k): str(v) for k, v in name.items()},
        region=str(top.get("region", "")),
        source=str(top.get("source", "")),
        school_kinds=kinds,
        synonyms=synonyms,
        vot=ctx.roles(top.get("vot", []), "vot"),
        start=start,
        steps=steps,
        actions=actions,
        settings=dict(top.get("settings", {}) or {}),
        milestones=_milestones(ctx, top.get("milestones", [])),
    )
    _check_references(ctx, route)
    _check_milestones(ctx, route)
    return participation_schema.attach(route, participation, ctx.fail)


def _milestones(ctx: _Ctx, raw: Any) -> tuple[Milestone, ...]:
    if not isinstance(raw, list):
        raise ctx.fail("milestones", "must be a list")
    out: list[Milestone] = []
    for i, item in enumerate(raw):
        where = f"milestones[{i}]"
        data = ctx.mapping(item, where, {"id", "label", "from", "to", "closed"}, {"id", "label"})
        milestone = Milestone(
            id=ctx.ident(data["id"], f"{where}.id"),
            label=ctx.msgid(data["label"], f"{where}.label"),
            from_steps=_step_list(ctx, data.get("from"), f"{where}.from"),
            to_steps=_step_list(ctx, data.get("to"), f"{where}.to"),
            closed=data.get("closed", False) is True,
        )
        if milestone.closed == bool(milestone.from_steps or milestone.to_steps):
            raise ctx.fail(where, "a milestone is either 'closed: true' or a move 'from' and/or 'to' steps")
        out.append(milestone)
    if len({m.id for m in out}) != len(out):
        raise ctx.fail("milestones", "milestone ids must be unique")
    if out and out[0].closed:
        raise ctx.fail("milestones[0]", "the first milestone starts the lead times; it cannot be 'closed'")
    return tuple(out)


def _step_list(ctx: _Ctx, raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    return tuple(ctx.ident(item, where) for item in items)


def _check_milestones(ctx: _Ctx, route: Route) -> None:
    """A milestone naming a step the route does not have would silently never be reached."""
    for i, milestone in enumerate(route.milestones):
        for key, steps in (("from", milestone.from_steps), ("to", milestone.to_steps)):
            for sid in steps:
                if sid not in route.steps:
                    raise ctx.fail(f"milestones[{i}].{key}", f"unknown step {sid!r}")


def _condition(ctx: _Ctx, raw: Any, where: str) -> Condition:
    if raw is None:
        return Condition()
    data = ctx.mapping(raw, where, set(raw) if isinstance(raw, Mapping) else set())
    equals: list[tuple[str, tuple[str, ...]]] = []
    flags: tuple[str, ...] = ()
    not_flags: tuple[str, ...] = ()
    counters: list[tuple[str, int]] = []
    for key, value in data.items():
        if key == "flag":
            flags = tuple(value if isinstance(value, list) else [value])
        elif key == "not_flag":
            not_flags = tuple(value if isinstance(value, list) else [value])
        elif key == "counter_at_least":
            for name, n in ctx.mapping(value, f"{where}.counter_at_least", set(value)).items():
                counters.append((ctx.ident(name, f"{where}.counter_at_least"), int(n)))
        else:
            values = value if isinstance(value, list) else [value]
            equals.append(
                (
                    ctx.ident(key, f"{where}.{key}"),
                    tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values),
                )
            )
    return Condition(tuple(equals), flags, not_flags, tuple(counters))


def _effects(ctx: _Ctx, raw: Any, where: str) -> tuple[Effect, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ctx.fail(where, "effects must be a list")
    out = []
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping) or len(item) != 1:
            raise ctx.fail(here, f"an effect is a mapping with one of: {', '.join(sorted(EFFECT_KINDS))}")
        kind, args = next(iter(item.items()))
        if kind not in EFFECT_KINDS:
            raise ctx.fail(here, f"unknown effect {kind!r}; known: {', '.join(sorted(EFFECT_KINDS))}")
        out.append(Effect(kind, _effect_args(ctx, kind, args, f"{here}.{kind}")))
    return tuple(out)


def _effect_args(ctx: _Ctx, kind: str, args: Any, where: str) -> Any:
    if kind == "notify":
        data = ctx.mapping(
            args, where, {"roles", "participants", "message", "urgent", "actions", "when_flag"}, {"message"}
        )
        return {
            "when_flag": None
            if data.get("when_flag") is None
            else ctx.ident(data["when_flag"], f"{where}.when_flag"),
            "roles": ctx.roles(data.get("roles", []), f"{where}.roles"),
            "participants": tuple(data.get("participants", ())),  # reasons (flows/participants.py)
            "message": ctx.msgid(data["message"], f"{where}.message"),
            "urgent": bool(data.get("urgent", False)),
            "actions": tuple(data.get("actions", ())),
        }
    if kind == "set_priority":
        if args not in ("first", "normal"):
            raise ctx.fail(where, "priority is 'first' or 'normal'")
        return args
    if kind in ("flag", "unflag", "close", "count"):
        return ctx.ident(args, where)
    if kind == "say":
        return ctx.msgid(args, where)
    if kind in ("assign_regiehouder", "assign_actor"):
        return ctx.roles(args, where)[0]
    if kind == "record_consent":
        return ctx.mapping(args, where, {"status", "method", "date"}, {"status", "method", "date"})
    raise ctx.fail(where, f"unhandled effect {kind}")  # pragma: no cover - EFFECT_KINDS guards this


def _field(ctx: _Ctx, where: str, raw: Any) -> Field:
    data = ctx.mapping(
        raw,
        where,
        {"id", "kind", "prompt", "options", "max_length", "optional", "when", "sensitive"},
        {"id", "kind", "prompt"},
    )
    kind = data["kind"]
    if kind not in FIELD_KINDS:
        raise ctx.fail(where, f"unknown field kind {kind!r}; known: {', '.join(sorted(FIELD_KINDS))}")
    options: list[Option] = []
    for j, opt in enumerate(data.get("options", []) or []):
        o = ctx.mapping(opt, f"{where}.options[{j}]", {"value", "label"}, {"value", "label"})
        options.append(
            Option(
                ctx.ident(str(o["value"]), f"{where}.options[{j}].value"),
                ctx.msgid(o["label"], f"{where}.options[{j}].label"),
            )
        )
    if kind in ("choice", "multi") and not options:
        raise ctx.fail(where, f"a {kind} field needs options")
    if kind not in ("choice", "multi") and options:
        raise ctx.fail(where, f"a {kind} field has no options")
    max_length = int(data.get("max_length", 500))
    if not 1 <= max_length <= 2000:
        raise ctx.fail(where, "max_length must be between 1 and 2000")
    return Field(
        id=ctx.ident(data["id"], f"{where}.id"),
        kind=kind,
        prompt=ctx.msgid(data["prompt"], f"{where}.prompt"),
        options=tuple(options),
        max_length=max_length,
        optional=bool(data.get("optional", False)),
        when=_condition(ctx, data.get("when"), f"{where}.when"),
        sensitive=bool(data.get("sensitive", kind == "text")),
    )


def _transition(ctx: _Ctx, where: str, raw: Any) -> Transition:
    data = ctx.mapping(raw, where, {"to", "when", "effects", "requires_consent", "label"})
    return Transition(
        to=None if data.get("to") is None else ctx.ident(data["to"], f"{where}.to"),
        when=_condition(ctx, data.get("when"), f"{where}.when"),
        effects=_effects(ctx, data.get("effects"), f"{where}.effects"),
        requires_consent=bool(data.get("requires_consent", False)),
        label=None if data.get("label") is None else ctx.msgid(data["label"], f"{where}.label"),
    )


def _follow_up(ctx: _Ctx, where: str, raw: Any) -> FollowUp:
    data = ctx.mapping(raw, where, {"id", "after", "on_date", "at", "effects", "to", "actions"}, {"id"})
    if ("after" in data) == ("on_date" in data):
        raise ctx.fail(where, "a follow-up needs either 'after' (a duration) or 'on_date' (step.field)")
    after = None
    if "after" in data:
        after = str(data["after"]).strip().lower()
        if not _DURATION.match(after):
            raise ctx.fail(
                f"{where}.after",
                f"{data['after']!r} is not a duration like '3 school days', '2 days' or '48 hours'",
            )
    on_date = None
    if "on_date" in data:
        parts = str(data["on_date"]).split(".")
        if len(parts) != 2:
            raise ctx.fail(f"{where}.on_date", f"{data['on_date']!r} is not a date field like 'step.field'")
        on_date = (ctx.ident(parts[0], f"{where}.on_date"), ctx.ident(parts[1], f"{where}.on_date"))
    at = None
    if data.get("at") is not None:
        at = str(data["at"])
        if not _AT.match(at):
            raise ctx.fail(f"{where}.at", f"{at!r} is not a local time like '09:00'")
        if after is not None and _HOURS.match(after):
            raise ctx.fail(f"{where}.at", "a duration in hours is elapsed time and lands on no local time")
    return FollowUp(
        id=ctx.ident(data["id"], f"{where}.id"),
        after=after,
        effects=_effects(ctx, data.get("effects"), f"{where}.effects"),
        to=None if data.get("to") is None else ctx.ident(data["to"], f"{where}.to"),
        actions=tuple(data.get("actions", ()) or ()),
        on_date=on_date,
        at=at,
    )


def _step(ctx: _Ctx, step_id: str, raw: Any) -> Step:
    where = f"steps.{step_id}"
    data = ctx.mapping(
        raw,
        where,
        {"actors", "title", "fields", "confirm", "transitions", "on_enter", "follow_ups", "terminal"},
        {"actors", "title"},
    )
    fields = tuple(_field(ctx, f"{where}.fields[{i}]", f) for i, f in enumerate(data.get("fields", []) or []))
    ids = [f.id for f in fields]
    if len(ids) != len(set(ids)):
        raise ctx.fail(f"{where}.fields", "field ids must be unique within a step")
    transitions = tuple(
        _transition(ctx, f"{where}.transitions[{i}]", t)
        for i, t in enumerate(data.get("transitions", []) or [])
    )
    terminal = bool(data.get("terminal", False))
    if not terminal and not transitions:
        raise ctx.fail(where, "a step needs transitions unless it is terminal")
    if transitions and not transitions[-1].when.always:
        raise ctx.fail(
            f"{where}.transitions",
            "the last transition must have no condition, so every answer leads somewhere",
        )
    return Step(
        id=step_id,
        actors=ctx.roles(data["actors"], f"{where}.actors"),
        title=ctx.msgid(data["title"], f"{where}.title"),
        fields=fields,
        confirm=bool(data.get("confirm", False)),
        transitions=transitions,
        on_enter=_effects(ctx, data.get("on_enter"), f"{where}.on_enter"),
        follow_ups=tuple(
            _follow_up(ctx, f"{where}.follow_ups[{i}]", f)
            for i, f in enumerate(data.get("follow_ups", []) or [])
        ),
        terminal=terminal,
    )


def _action(ctx: _Ctx, action_id: str, raw: Any) -> Action:
    where = f"actions.{action_id}"
    data = ctx.mapping(raw, where, {"roles", "label", "effects", "to", "steps"}, {"roles", "label"})
    return Action(
        id=action_id,
        roles=ctx.roles(data["roles"], f"{where}.roles"),
        label=ctx.msgid(data["label"], f"{where}.label"),
        effects=_effects(ctx, data.get("effects"), f"{where}.effects"),
        to=None if data.get("to") is None else ctx.ident(data["to"], f"{where}.to"),
        steps=tuple(data.get("steps", ()) or ()),
    )


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
