"""The routekaart: a route drawn from the same data the engine runs, as Mermaid text or as SVG.

Pure: no I/O, no rendering library. Both drawings take `labels`, which turns a msgid into display text (the
bot and the CLI pass a translator, tests a dict lookup), so a map speaks the member's language and a
school's own names for roles (e.g. Capelle's "CJG-team" for `wijkteam`) come through the same function.
The SVG is laid out here — layers by distance from the start step, one lane per acting role — so no
graphviz is needed; turning it into PNG is the edge's job (bot/routekaart.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

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
class RouteMap:
    route_id: str
    name: str
    start_step: str
    start_command: str
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    actions: tuple[ActionBox, ...]
    depth: dict[str, int] = field(default_factory=dict)


def build_map(route: Route, labels: Labels, language: str = "nl") -> RouteMap:
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
            edges.append(
                Edge(step.id, fu.to or step.id, _follow_up_label(fu, labels), "follow_up")
            )
    actions = tuple(ActionBox(a.id, labels(a.label), names(a.roles), a.to) for a in route.actions.values())
    edges.extend(Edge(a.id, a.target, "", "action") for a in actions if a.target)
    return RouteMap(
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
            text = _condition_label(step, t.when, labels) if branching else ""
            if branching and t.when.always:
                text = labels("routekaart.otherwise")
            if t.requires_consent:
                consent = labels("routekaart.with_consent")
                text = f"{text} ({consent})" if text else consent
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
        f"  %% {_mtext(rmap.name)}: generated by flows/draw.py from flows/routes/{route.id}.yaml",
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


def _ordered(rmap: RouteMap) -> list[Node]:
    return sorted(rmap.nodes.values(), key=lambda n: (rmap.depth.get(n.id, 99), list(rmap.nodes).index(n.id)))


# -- SVG --------------------------------------------------------------------------------------------

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
    "admin": ("#f4f4f5", "#52525b"),
}


def _colour(role: str) -> tuple[str, str]:
    return _PALETTE.get(role, ("#f4f4f5", "#52525b"))


NODE_W, LINE_H, ROW_H, CELL_GAP, LANE_PAD, TOP = 200, 14, 118, 26, 22, 92
SIDE_W = 300  # the column right of the lanes: actions and legend
CHARS_PER_LINE = 28
ROLE_CHARS = 32  # role names are set smaller


@dataclass
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


def _wrap(text: str, width: int = CHARS_PER_LINE, max_lines: int = 3) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        # Cut rather than overflow the box; the full text stays in the node's <title>.
        lines = [*lines[: max_lines - 1], _clip(" ".join(lines[max_lines - 1 :]), width)]
    return lines or [""]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _bezier(p0: float, p1: float, p2: float, p3: float, t: float) -> float:
    u = 1 - t
    return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3


def _layout(rmap: RouteMap) -> tuple[dict[str, _Box], list[tuple[str, float, float]], float, float]:
    """Node boxes, lanes as (role, x, width), and the lanes' total width and height."""
    lanes = list(dict.fromkeys(n.roles[0] for n in _ordered(rmap)))
    cells: dict[tuple[int, str], list[Node]] = {}
    for node in _ordered(rmap):
        cells.setdefault((rmap.depth.get(node.id, 0), node.roles[0]), []).append(node)
    per_lane = {lane: max(len(v) for (_, role), v in cells.items() if role == lane) for lane in lanes}
    lane_x: list[tuple[str, float, float]] = []
    x = 20.0
    for lane in lanes:
        width = per_lane[lane] * (NODE_W + CELL_GAP) - CELL_GAP + 2 * LANE_PAD
        lane_x.append((lane, x, width))
        x += width + 8
    rows = max(rmap.depth.values(), default=0) + 1
    boxes: dict[str, _Box] = {}
    for (row, role), nodes in cells.items():
        _, lx, _ = next(item for item in lane_x if item[0] == role)
        for i, node in enumerate(nodes):
            h = (len(_wrap(node.title)) + len(_wrap(node.role_names, ROLE_CHARS, 2))) * LINE_H + 14
            y = TOP + row * ROW_H + (ROW_H - 40 - h) / 2
            boxes[node.id] = _Box(lx + LANE_PAD + i * (NODE_W + CELL_GAP), y, NODE_W, h)
    return boxes, lane_x, x, TOP + rows * ROW_H


def svg(route: Route, labels: Labels, language: str = "nl") -> str:
    """A standalone SVG document: lanes per role, layered steps, labelled arrows, actions and a legend."""
    rmap = build_map(route, labels, language)
    boxes, lanes, lanes_w, lanes_h = _layout(rmap)
    side_x = lanes_w + 20
    width = side_x + SIDE_W
    legend_h = 150 + 22 * len(lanes) + 34 * len(rmap.actions)
    height = max(lanes_h + 30, TOP + legend_h + 40)
    title = labels("routekaart.title").format(route=rmap.name)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">',
        f"<title>{escape(title)}</title>",
        _defs(),
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="20" y="34" font-size="20" font-weight="bold" fill="#111827">{escape(title)}</text>',
    ]
    for role, x, w in lanes:
        fill, stroke = _colour(role)
        out.append(
            f'<rect x="{x:.0f}" y="{TOP - 40}" width="{w:.0f}" height="{lanes_h - TOP + 40:.0f}" '
            f'fill="{fill}" fill-opacity="0.45" stroke="{stroke}" stroke-opacity="0.35"/>'
        )
        out.append(
            f'<text x="{x + w / 2:.0f}" y="{TOP - 20}" font-size="13" font-weight="bold" '
            f'text-anchor="middle" fill="{stroke}">{escape(labels(f"role.{role}"))}</text>'
        )
    start = boxes[rmap.start_step]
    out.append(
        f'<g id="start"><circle cx="{start.x - 14:.0f}" cy="{start.y - 10:.0f}" r="7" fill="#111827"/>'
        f'<text x="{start.x - 2:.0f}" y="{start.y - 6:.0f}" font-size="11" fill="#111827">'
        f"/{escape(rmap.start_command)}</text></g>"
    )
    arrows, edge_labels = _svg_edges(rmap, boxes)
    out.extend(arrows)
    out.extend(_svg_node(node, boxes[node.id]) for node in _ordered(rmap))
    out.extend(edge_labels)
    out.extend(_svg_side(rmap, lanes, labels, side_x))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _defs() -> str:
    def marker(mid: str, colour: str) -> str:
        return (
            f'<marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )

    markers = (
        marker("arrow", "#374151") + marker("arrow-timer", "#9a3412") + marker("arrow-action", "#6d28d9")
    )
    return f"<defs>{markers}</defs>"


_EDGE_STYLE = {
    "transition": ('stroke="#374151" stroke-width="1.4"', "arrow", "#111827"),
    "follow_up": ('stroke="#9a3412" stroke-width="1.2" stroke-dasharray="2,3"', "arrow-timer", "#9a3412"),
    "action": ('stroke="#6d28d9" stroke-width="1.2" stroke-dasharray="7,4"', "arrow-action", "#6d28d9"),
}


def _svg_edges(rmap: RouteMap, boxes: dict[str, _Box]) -> tuple[list[str], list[str]]:
    """The arrows, and their labels apart: labels go on top of the nodes so none is hidden."""
    out: list[str] = []
    texts: list[str] = []
    loops: dict[str, int] = {}
    back: dict[str, int] = {}
    for edge in rmap.edges:
        if edge.kind == "action":
            continue  # drawn from the side box, as a short stub into the step
        src, dst = boxes[edge.source], boxes[edge.target]
        style, marker, colour = _EDGE_STYLE[edge.kind]
        if edge.source == edge.target:
            # A loop on the node's left (follow-ups) or right (another attempt), stacked outwards.
            k = loops.get(f"{edge.source}:{edge.kind}", 0)
            loops[f"{edge.source}:{edge.kind}"] = k + 1
            side = -1 if edge.kind == "follow_up" else 1
            x0 = src.x if side < 0 else src.x + src.w
            y0, y1 = src.y + 8 + 10 * k, src.y + src.h - 8 - 4 * k
            reach = side * (34.0 + 16 * k)
            bend = x0 + reach
            path = f"M{x0:.1f},{y0:.1f} C{bend:.1f},{y0 - 10:.1f} {bend:.1f},{y1 + 10:.1f} {x0:.1f},{y1:.1f}"
            lx, ly, anchor = x0 + reach * 0.8, src.y - 6 - 12 * k, "end" if side < 0 else "start"
            if edge.kind == "follow_up":
                lx, ly = src.x + 4, src.y + src.h + 12 + 12 * k
                anchor = "start"
        elif dst.y > src.y + 1:
            x0, y0, x1, y1 = src.cx, src.y + src.h, dst.cx, dst.y
            dy = max(30.0, (y1 - y0) / 2)
            path = f"M{x0:.1f},{y0:.1f} C{x0:.1f},{y0 + dy:.1f} {x1:.1f},{y1 - dy:.1f} {x1:.1f},{y1:.1f}"
            # Branches of a decision leave from one point: label them nearer their targets to keep apart.
            t = 0.62
            lx, ly, anchor = _bezier(x0, x0, x1, x1, t), _bezier(y0, y0 + dy, y1 - dy, y1, t), "middle"
        else:
            # Back to an earlier (or the same) layer: around the right-hand side of both nodes.
            k = back.get(edge.target, 0)
            back[edge.target] = k + 1
            x0, y0 = src.x + src.w, src.y + src.h * 0.65
            x1, y1 = dst.x + dst.w, dst.y + dst.h * 0.35
            reach = 40.0 + 14 * k + min(60.0, abs(y0 - y1) * 0.15)
            bend = max(x0, x1) + reach
            path = f"M{x0:.1f},{y0:.1f} C{bend:.1f},{y0:.1f} {bend:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
            lx, ly, anchor = bend - 4, (y0 + y1) / 2, "start"
        out.append(f'<path d="{path}" fill="none" {style} marker-end="url(#{marker})"/>')
        if edge.label:
            texts.append(_edge_label(edge.label, lx, ly, anchor, colour))
    return out, texts


def _edge_label(text: str, x: float, y: float, anchor: str, colour: str) -> str:
    lines = _wrap(text, 30, 3)
    width = max(len(line) for line in lines) * 5.9 + 8
    left = {"start": x - 2, "middle": x - width / 2, "end": x - width + 2}[anchor]
    height = len(lines) * 12 + 4
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 12}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="edge-label"><rect x="{left:.1f}" y="{y - 11:.1f}" width="{width:.1f}" height="{height}" '
        f'rx="3" fill="#ffffff" fill-opacity="0.9"/>'
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="{anchor}" fill="{colour}">'
        f"{spans}</text></g>"
    )


def _svg_node(node: Node, box: _Box) -> str:
    stroke = _colour(node.roles[0])[1]
    x, y, w, h = box.x, box.y, box.w, box.h
    if node.kind == "terminal":
        shape = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="{h / 2:.1f}" '
            'fill="#ffffff" stroke="#111827" stroke-width="2"/>'
        )
    elif node.kind == "decision":
        c = 12
        corners = [
            (x + c, y),
            (x + w - c, y),
            (x + w, y + h / 2),
            (x + w - c, y + h),
            (x + c, y + h),
            (x, y + h / 2),
        ]
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in corners)
        shape = f'<polygon points="{points}" fill="#ffffff" stroke="{stroke}" stroke-width="2"/>'
    else:
        shape = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="6" '
            f'fill="#ffffff" stroke="{stroke}" stroke-width="1.6"/>'
        )
    lines = _wrap(node.title)
    text = "".join(
        f'<text x="{box.cx:.1f}" y="{y + 16 + i * LINE_H:.1f}" font-size="11.5" font-weight="bold" '
        f'text-anchor="middle" fill="#111827">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    roles = "".join(
        f'<text x="{box.cx:.1f}" y="{y + 16 + (len(lines) + i) * LINE_H:.1f}" font-size="10" '
        f'font-style="italic" text-anchor="middle" fill="{stroke}">{escape(line)}</text>'
        for i, line in enumerate(_wrap(node.role_names, ROLE_CHARS, 2))
    )
    return (
        f'<g id={quoteattr("step-" + node.id)} class="step {node.kind}"><title>{escape(node.title)}</title>'
        f"<desc>{escape(node.id)}</desc>{shape}{text}{roles}</g>"
    )


def _svg_side(rmap: RouteMap, lanes: list[tuple[str, float, float]], labels: Labels, x: float) -> list[str]:
    out: list[str] = []
    y = float(TOP - 40)
    if rmap.actions:
        out.append(
            f'<text x="{x:.0f}" y="{y + 4:.0f}" font-size="13" font-weight="bold" fill="#111827">'
            f"{escape(labels('routekaart.actions'))}</text>"
        )
        y += 16
        for action in rmap.actions:
            target = f" → {rmap.nodes[action.target].title}" if action.target else ""
            out.append(
                f'<g id={quoteattr("action-" + action.id)} class="action">'
                f'<rect x="{x:.0f}" y="{y:.0f}" width="{SIDE_W - 30}" height="30" rx="4" fill="#f5f3ff" '
                f'stroke="#6d28d9" stroke-dasharray="7,4"/>'
                f'<text x="{x + 8:.0f}" y="{y + 13:.0f}" font-size="11" font-weight="bold" fill="#4c1d95">'
                f"{escape(_clip(action.label + target, 40))}</text>"
                f'<text x="{x + 8:.0f}" y="{y + 25:.0f}" font-size="9.5" font-style="italic" fill="#6d28d9">'
                f"{escape(_clip(action.role_names, 50))}</text></g>"
            )
            y += 34
        y += 14
    out.append(
        f'<text x="{x:.0f}" y="{y + 4:.0f}" font-size="13" font-weight="bold" fill="#111827">'
        f"{escape(labels('routekaart.legend'))}</text>"
    )
    y += 14
    for role, _, _ in lanes:
        fill, stroke = _colour(role)
        out.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="16" height="14" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x + 24:.0f}" y="{y + 11:.0f}" font-size="11" fill="#111827">'
            f"{escape(labels(f'role.{role}'))}</text>"
        )
        y += 22
    y += 6
    shapes = [
        (
            f'<rect x="{x:.0f}" y="{y:.0f}" width="26" height="16" rx="4" fill="#fff" stroke="#374151"/>',
            "routekaart.legend_step",
        ),
        (
            f'<polygon points="{x + 5},{y + 22} {x + 21},{y + 22} {x + 26},{y + 30} '
            f'{x + 21},{y + 38} {x + 5},{y + 38} {x},{y + 30}" '
            'fill="#fff" stroke="#374151"/>',
            "routekaart.legend_decision",
        ),
        (
            f'<rect x="{x:.0f}" y="{y + 44:.0f}" width="26" height="16" rx="8" fill="#fff" '
            'stroke="#111827" stroke-width="2"/>',
            "routekaart.legend_end",
        ),
    ]
    for i, (shape, msgid) in enumerate(shapes):
        out.append(
            shape + f'<text x="{x + 34:.0f}" y="{y + 12 + 22 * i:.0f}" font-size="11" fill="#111827">'
            f"{escape(labels(msgid))}</text>"
        )
    y += 72
    for kind, msgid in (
        ("transition", "routekaart.legend_next"),
        ("follow_up", "routekaart.legend_follow_up"),
        ("action", "routekaart.legend_action"),
    ):
        style, marker, _ = _EDGE_STYLE[kind]
        out.append(
            f'<path d="M{x:.0f},{y:.0f} L{x + 26:.0f},{y:.0f}" {style} marker-end="url(#{marker})"/>'
            f'<text x="{x + 34:.0f}" y="{y + 4:.0f}" font-size="11" fill="#111827">'
            f"{escape(labels(msgid))}</text>"
        )
        y += 20
    return out
