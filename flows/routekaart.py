"""The routekaart: a route drawn from the same data the engine runs, described for a layout engine (D2)
and as Mermaid text.

Pure: no I/O, no rendering. Both take `labels`, which turns a msgid into display text (the bot and the
CLI pass a translator, tests a dict lookup), so a map speaks the member's language and a school's own
names for roles (e.g. Capelle's "CJG-team" for `wijkteam`) come through the same function. Nothing here
places a box or a label: D2 lays the map out, run by the edge (bot/render/routekaart.py), which also makes the
SVG, PNG and PDF.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from flows.calendar.duration import parse_duration
from flows.msgids import N_
from flows.route import Condition, FollowUp, Route, Step, Transition

# Every message id the maps use, some built from a flag or unit name at run time, so the catalogs keep them.
MSGIDS = (
    N_("routekaart.actions"),
    N_("routekaart.attempt"),
    N_("routekaart.duration.days"),
    N_("routekaart.on_date"),
    N_("routekaart.duration.hours"),
    N_("routekaart.duration.school_days"),
    N_("routekaart.flag.multi_problem"),
    N_("routekaart.flag.non_responsive"),
    N_("routekaart.flag.oza"),
    N_("routekaart.flag.refusal"),
    N_("routekaart.flag.safety"),
    N_("routekaart.flag.stagnation"),
    N_("routekaart.flag.verwijsindex"),
    N_("routekaart.flag.verzuim"),
    N_("routekaart.legend"),
    N_("routekaart.legend_action"),
    N_("routekaart.legend_decision"),
    N_("routekaart.legend_end"),
    N_("routekaart.legend_follow_up"),
    N_("routekaart.legend_next"),
    N_("routekaart.legend_step"),
    N_("routekaart.not"),
    N_("routekaart.otherwise"),
    N_("routekaart.route.meldcode"),
    N_("routekaart.via_route"),
    N_("routekaart.title"),
    N_("routekaart.with_consent"),
)


Labels = Callable[[str], str]
NodeKind = Literal["step", "decision", "terminal"]
EdgeKind = Literal["transition", "follow_up", "action"]

# -- the map as data (shared by both drawings) -------------------------------------------------------


@dataclass(frozen=True)
class Node:
    id: str
    title: str
    roles: tuple[str, ...]  # role ids, the first one is the lane
    role_names: str
    kind: NodeKind


@dataclass(frozen=True)
class Edge:
    source: str  # a step id, or an action id for kind "action"
    target: str
    label: str
    kind: EdgeKind


@dataclass(frozen=True)
class ActionBox:
    id: str
    label: str
    role_names: str
    target: str | None


@dataclass(frozen=True)
class Routekaart:
    route_id: str
    name: str
    start_step: str
    start_command: str
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    actions: tuple[ActionBox, ...]
    depth: dict[str, int] = field(default_factory=dict)


def build_map(route: Route, labels: Labels, language: str = "nl") -> Routekaart:
    def names(roles: tuple[str, ...]) -> str:
        return ", ".join(labels(f"role.{r}") for r in roles)

    nodes = {
        s.id: Node(s.id, labels(s.title), s.actors, names(s.actors), _node_kind(s))
        for s in route.steps.values()
    }
    edges: list[Edge] = []
    for step in route.steps.values():
        edges.extend(_transition_edges(step, labels))
        for fu in step.follow_ups:
            edges.append(Edge(step.id, fu.to or step.id, _follow_up_label(fu, labels), "follow_up"))
    actions = tuple(ActionBox(a.id, labels(a.label), names(a.roles), a.to) for a in route.actions.values())
    edges.extend(Edge(a.id, a.target, "", "action") for a in actions if a.target)
    return Routekaart(
        route_id=route.id,
        name=route.name.get(language) or route.name.get("nl", route.id),
        start_step=route.start.step,
        start_command=route.start.command,
        nodes=nodes,
        edges=tuple(edges),
        actions=actions,
        depth=_depths(route),
    )


def _node_kind(step: Step) -> NodeKind:
    if step.terminal:
        return "terminal"
    targets = {t.to or step.id for t in step.transitions}
    return "decision" if len(targets) > 1 else "step"


def _transition_edges(step: Step, labels: Labels) -> list[Edge]:
    """One edge per target step; a step whose every answer leads to the same place gets no branch labels."""
    by_target: dict[str, list[Transition]] = {}
    for t in step.transitions:
        by_target.setdefault(t.to or step.id, []).append(t)
    branching = len(by_target) > 1
    edges = []
    for target, transitions in by_target.items():
        parts = []
        for t in transitions:
            if t.label:  # the route file's own short label says it all
                if labels(t.label) not in parts:
                    parts.append(labels(t.label))
                continue
            text = _condition_label(step, t.when, labels) if branching else ""
            if branching and t.when.always:
                text = labels("routekaart.otherwise")
            if t.requires_consent:
                consent = labels("routekaart.with_consent")
                text = f"{text} ({consent})" if text else consent
            for handover in (e.args for e in t.effects if e.kind == "enter_route"):
                # The hand-over to a sub-route: the arrow leads where the case comes back, via that route.
                via = labels("routekaart.via_route").format(
                    route=labels(f"routekaart.route.{handover['route']}")
                )
                text = f"{text} → {via}" if text else via
            if text and text not in parts:
                parts.append(text)
        edges.append(Edge(step.id, target, " / ".join(parts), "transition"))
    return edges


def _condition_label(step: Step, cond: Condition, labels: Labels) -> str:
    parts = []
    for field_id, values in cond.equals:
        fld = step.field(field_id)
        options = {o.value: o.label for o in fld.options} if fld else {}
        parts.append(" / ".join(labels(options[v]) if v in options else v for v in values))
    parts.extend(labels(f"routekaart.flag.{flag}") for flag in cond.flags)
    parts.extend(
        labels("routekaart.not") + " " + labels(f"routekaart.flag.{flag}") for flag in cond.not_flags
    )
    parts.extend(labels("routekaart.attempt").format(n=n + 1) for _, n in cond.counter_at_least)
    return " + ".join(parts)


def _follow_up_label(follow_up: FollowUp, labels: Labels) -> str:
    if follow_up.after is None:
        text = labels("routekaart.on_date")
    else:
        duration = parse_duration(follow_up.after)
        text = labels(f"routekaart.duration.{duration.unit.value}").format(n=duration.amount)
    notified: list[str] = []
    for effect in follow_up.effects:
        if effect.kind == "notify":
            notified.extend(r for r in effect.args["roles"] if r not in notified)
    if notified:
        text += " → " + ", ".join(labels(f"role.{r}") for r in notified)
    return text


def _depths(route: Route) -> dict[str, int]:
    """Breadth-first distance from the start step; steps only an action leads to start one layer down."""
    depth: dict[str, int] = {}
    queue: deque[tuple[str, int]] = deque([(route.start.step, 0)])
    seeds = [a.to for a in route.actions.values() if a.to]
    while queue or seeds:
        if not queue:
            seed = seeds.pop(0)
            if seed not in depth:
                queue.append((seed, 1))
            continue
        sid, d = queue.popleft()
        if sid in depth:
            continue
        depth[sid] = d
        step = route.step(sid)
        for nxt in [*(t.to for t in step.transitions), *(f.to for f in step.follow_ups)]:
            if nxt and nxt not in depth:
                queue.append((nxt, d + 1))
    return depth


# -- Mermaid ----------------------------------------------------------------------------------------

_MERMAID_WORDS = {
    "end",
    "graph",
    "subgraph",
    "flowchart",
    "style",
    "class",
    "classdef",
    "click",
    "linkstyle",
    "direction",
    "default",
}


def _mid(node_id: str) -> str:
    return f"{node_id}_" if node_id.lower() in _MERMAID_WORDS else node_id


def _mtext(text: str) -> str:
    # Inside a quoted Mermaid label only these need entity codes.
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(route: Route, labels: Labels, language: str = "nl") -> str:
    """A `flowchart TD`: one colour class per acting role, decisions as hexagons, ends as stadiums,
    follow-ups as dotted edges with their duration, case actions in a side box."""
    rmap = build_map(route, labels, language)
    lines = [
        "flowchart TD",
        f"  %% {_mtext(rmap.name)}: generated by flows/routekaart.py from flows/routes/{route.id}.yaml",
        f'  start_(("/{_mtext(rmap.start_command)}")) --> {_mid(rmap.start_step)}',
    ]
    for node in _ordered(rmap):
        text = f"{_mtext(node.title)}<br/><i>{_mtext(node.role_names)}</i>"
        shape = {"step": ('["', '"]'), "decision": ('{{"', '"}}'), "terminal": ('(["', '"])')}[node.kind]
        lines.append(f"  {_mid(node.id)}{shape[0]}{text}{shape[1]}:::{_role_class(node.roles[0])}")
    for edge in rmap.edges:
        arrow = "-->" if edge.kind == "transition" else "-.->"
        label = f'|"{_mtext(edge.label)}"|' if edge.label else ""
        source = f"act_{edge.source}" if edge.kind == "action" else _mid(edge.source)
        lines.append(f"  {source} {arrow}{label} {_mid(edge.target)}")
    if rmap.actions:
        lines.append(f'  subgraph actions_["{_mtext(labels("routekaart.actions"))}"]')
        lines.append("    direction TB")
        for action in rmap.actions:
            lines.append(
                f'    act_{action.id}[/"{_mtext(action.label)}<br/><i>{_mtext(action.role_names)}</i>"/]'
            )
        lines.append("  end")
    for role in dict.fromkeys(n.roles[0] for n in rmap.nodes.values()):
        fill, stroke = _colour(role)
        lines.append(f"  classDef {_role_class(role)} fill:{fill},stroke:{stroke},color:#1b1b1b")
    return "\n".join(lines) + "\n"


def _role_class(role: str) -> str:
    return f"role_{role}"


def _ordered(rmap: Routekaart) -> list[Node]:
    return sorted(rmap.nodes.values(), key=lambda n: (rmap.depth.get(n.id, 99), list(rmap.nodes).index(n.id)))


# -- colours -----------------------------------------------------------------------------------------

# (fill, stroke) per role; the lane takes the fill, the node border the stroke.
_PALETTE: dict[str, tuple[str, str]] = {
    "leerkracht": ("#fff4d6", "#b7860b"),
    "mentor": ("#fff4d6", "#b7860b"),
    "ib": ("#dbeafe", "#1d4ed8"),
    "zorgcoordinator": ("#dbeafe", "#1d4ed8"),
    "directie": ("#ede9fe", "#6d28d9"),
    "swv": ("#dcfce7", "#15803d"),
    "gs": ("#ffe4e6", "#be123c"),
    "smw": ("#ccfbf1", "#0f766e"),
    "wijkteam": ("#fee2e2", "#b91c1c"),
    "wijkteamleider": ("#ffedd5", "#c2410c"),
    "jgc": ("#fce7f3", "#be185d"),
    "jv": ("#e0f2fe", "#0369a1"),
    "gedragswetenschapper": ("#f1f5f9", "#475569"),
    "leerplicht": ("#f5f5f4", "#57534e"),
    "aandachtsfunctionaris": ("#fef3c7", "#b45309"),
    "admin": ("#f4f4f5", "#52525b"),
}


def _colour(role: str) -> tuple[str, str]:
    return _PALETTE.get(role, ("#f4f4f5", "#52525b"))


# -- D2: the map described for a layout engine -----------------------------------------------------
#
# We only say what is on the map; the layout engine (D2, run at the edge by bot/render/routekaart.py) decides
# where it goes, so labels are placed by the engine around the steps instead of on top of them. Every
# label is set on lines of its own length and never cut: a condition too long for an arrow becomes a
# numbered footnote under the map, and the arrow carries its number.

EDGE_LABEL_CHARS = 24  # longer labels go to the footnotes
TITLE_CHARS = 22  # a step's title is wrapped to lines of about this many characters
NOTE_CHARS = 160

_EDGE_D2_STYLE = {
    "transition": "stroke: '#374151'; stroke-width: 2",
    "follow_up": "stroke: '#9a3412'; stroke-width: 2; stroke-dash: 3; font-color: '#9a3412'",
    "action": "stroke: '#6d28d9'; stroke-width: 2; stroke-dash: 6; font-color: '#6d28d9'",
}
_SHAPE = {"step": "rectangle", "decision": "hexagon", "terminal": "oval"}


@dataclass(frozen=True)
class Diagram:
    """The D2 source of a map, and the footnotes its arrows refer to by number (also drawn under it)."""

    source: str
    footnotes: tuple[str, ...]


def wrap(text: str, width: int) -> str:
    """Whole words on lines of at most `width` characters (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _q(text: str) -> str:
    """A double-quoted D2 string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _lane_key(role: str) -> str:
    return f"lane_{role}"


def _node_key(rmap: Routekaart, step_id: str) -> str:
    # An end is nobody's work: outside the lanes, like the start. Inside its role's lane, the arrows into it
    # from later lanes would make the lanes a cycle, and the layout would put a later lane on top.
    node = rmap.nodes[step_id]
    if node.kind == "terminal":
        return f"s_{step_id}"
    return f"{_lane_key(node.roles[0])}.s_{step_id}"


def d2(route: Route, labels: Labels, language: str = "nl") -> Diagram:
    """The route as D2: one container per acting role (a swimlane), a step per node, arrows with short
    labels, follow-ups dotted, the actions available at any moment in a box of their own, a legend."""
    rmap = build_map(route, labels, language)
    notes: list[str] = []

    def short(text: str) -> str:
        if len(text) <= EDGE_LABEL_CHARS:
            return text
        if text not in notes:
            notes.append(text)
        return f"[{notes.index(text) + 1}]"

    title = labels("routekaart.title").format(route=rmap.name)
    out = [
        "direction: down",
        f"title: {_q(title)} {{shape: text; near: top-center; style: {{font-size: 28; bold: true}}}}",
        f"start: {_q('/' + rmap.start_command)} {{shape: circle; style: {{fill: '#111827'; "
        "font-color: '#ffffff'}}",
    ]
    for role in dict.fromkeys(n.roles[0] for n in _ordered(rmap) if n.kind != "terminal"):
        fill, stroke = _colour(role)
        out.append(
            f"{_lane_key(role)}: {_q(labels(f'role.{role}'))} {{style: {{fill: '{fill}'; "
            f"stroke: '{stroke}'; font-color: '{stroke}'}}}}"
        )
    for node in rmap.nodes.values():
        _, stroke = _colour(node.roles[0])
        text = wrap(node.title, TITLE_CHARS)
        if len(node.roles) > 1:
            text += "\n(" + wrap(node.role_names, TITLE_CHARS + 6) + ")"
        width = 3 if node.kind == "terminal" else 2
        out.append(
            f"{_node_key(rmap, node.id)}: {_q(text)} {{shape: {_SHAPE[node.kind]}; "
            f"style: {{fill: '#ffffff'; stroke: '{stroke}'; stroke-width: {width}}}}}"
        )
    out.append(f"start -> {_node_key(rmap, rmap.start_step)}")
    if rmap.actions:
        out.append(
            f"actions: {_q(labels('routekaart.actions'))} {{style: {{fill: '#f5f3ff'; stroke: '#6d28d9'}}}}"
        )
        for action in rmap.actions:
            text = wrap(action.label, TITLE_CHARS)
            out.append(
                f"actions.a_{action.id}: {_q(text)} {{shape: parallelogram; style: {{fill: '#ffffff'; "
                "stroke: '#6d28d9'; stroke-dash: 4}}"
            )
    # Arrows of one kind between the same two steps become one arrow (e.g. two reminders on one step).
    merged: dict[tuple[str, str, str], list[str]] = {}
    for edge in rmap.edges:
        texts = merged.setdefault((edge.kind, edge.source, edge.target), [])
        if edge.label and edge.label not in texts:
            texts.append(edge.label)
    for (kind, src, dst), texts in merged.items():
        source = f"actions.a_{src}" if kind == "action" else _node_key(rmap, src)
        label = f": {_q(short(' / '.join(texts)))}" if texts else ""
        out.append(f"{source} -> {_node_key(rmap, dst)}{label} {{style: {{{_EDGE_D2_STYLE[kind]}}}}}")
    out.extend(_d2_legend(labels))
    if notes:
        # One text per footnote in a one-column grid: each line starts at the left, under the map.
        out.append(
            'notes: "" {near: bottom-center; grid-columns: 1; grid-gap: 4; '
            "style: {fill: transparent; stroke-width: 0}}"
        )
        for i, note in enumerate(notes, 1):
            out.append(
                f"notes.n{i}: {_q(wrap(f'[{i}] {note}', NOTE_CHARS))} "
                "{shape: text; label.near: center-left; style.font-size: 16}"
            )
    return Diagram("\n".join(out) + "\n", tuple(notes))


def _d2_legend(labels: Labels) -> list[str]:
    out = [f"legend: {_q(labels('routekaart.legend'))} {{near: bottom-right; style: {{fill: '#ffffff'}}}}"]
    for key, kind, msgid in (
        ("step", "step", "routekaart.legend_step"),
        ("decision", "decision", "routekaart.legend_decision"),
        ("end", "terminal", "routekaart.legend_end"),
    ):
        out.append(
            f"legend.{key}: {_q(labels(msgid))} {{shape: {_SHAPE[kind]}; style: {{fill: '#ffffff'; "
            "stroke: '#374151'}}"
        )
    for kind, msgid in (
        ("transition", "routekaart.legend_next"),
        ("follow_up", "routekaart.legend_follow_up"),
        ("action", "routekaart.legend_action"),
    ):
        out.append(f"legend.{kind}_a: \"\" {{shape: circle; width: 8; height: 8; style.fill: '#374151'}}")
        out.append(f"legend.{kind}_b: \"\" {{shape: circle; width: 8; height: 8; style.fill: '#374151'}}")
        out.append(
            f"legend.{kind}_a -> legend.{kind}_b: {_q(labels(msgid))} {{style: {{{_EDGE_D2_STYLE[kind]}}}}}"
        )
    return out
