"""The one access policy. Every command and every button press asks it; nothing else decides access.

Need-to-know: a case is visible to the members of the case's school who sit in the route's VOT, to
whoever created it, to members assigned to it, and to the roles its current step waits on. Acting on a
step needs one of the step's roles (or their synonyms, e.g. zorgcoördinator for IB-er in VO) or an
assignment. A case at another school is
answered exactly like a case that does not exist, so nobody learns that it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.case import Case
from flows.msgids import N_, Msg
from flows.roles import RoleId
from flows.route import Action, Route


@dataclass(frozen=True)
class Actor:
    """A member acting in the context of one school, with the roles they hold there."""

    member_id: int
    school_id: int
    roles: frozenset[RoleId]


NO_REASON = Msg("")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Msg = NO_REASON  # when refused

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)
NOT_FOUND = Decision(False, N_("access.not_found"))
WRONG_ROLE = Decision(False, N_("access.wrong_role"))
STALE = Decision(False, N_("access.stale"))
CLOSED = Decision(False, N_("access.closed"))


def can_start(actor: Actor, route: Route) -> Decision:
    return ALLOW if actor.roles & route.expand(route.start.roles) else WRONG_ROLE


def can_view(actor: Actor, case: Case, route: Route) -> Decision:
    if actor.school_id != case.school_id:
        return NOT_FOUND
    if actor.member_id == case.created_by:
        return ALLOW
    if case.status == "draft":
        # A draft is the teacher's own until they confirm it.
        return NOT_FOUND
    if actor.member_id in case.assigned.values():
        return ALLOW
    if actor.roles & route.expand(route.vot):
        return ALLOW
    if _waits_on(actor, case, route):
        return ALLOW
    return NOT_FOUND


def _waits_on(actor: Actor, case: Case, route: Route) -> bool:
    """The open case's current step needs one of `actor`'s roles: e.g. the wijkteamleider a referral was just
    sent to, who sits in no school VOT. Without this they would be notified of a case they cannot open. Once
    the case moves on they keep access only through an assignment (`assign_actor`), so need-to-know holds."""
    if not case.is_open:
        return False
    step = route.steps.get(case.step)
    return step is not None and not step.terminal and bool(actor.roles & route.expand(step.actors))


def can_act(actor: Actor, case: Case, route: Route, step_id: str) -> Decision:
    seen = can_view(actor, case, route)
    if not seen:
        return seen
    if not case.is_open:
        return CLOSED
    if step_id != case.step:
        return STALE
    step = route.step(step_id)
    if step.terminal:
        return STALE
    if case.status == "draft":
        return ALLOW if actor.member_id == case.created_by else NOT_FOUND
    if actor.roles & route.expand(step.actors):
        return ALLOW
    if any(case.assigned.get(role) == actor.member_id for role in route.expand(step.actors)):
        return ALLOW
    return WRONG_ROLE


def can_do_action(actor: Actor, case: Case, route: Route, action: Action, shown_on_step: str) -> Decision:
    seen = can_view(actor, case, route)
    if not seen:
        return seen
    if not case.is_open or case.status == "draft":
        return CLOSED if not case.is_open else NOT_FOUND
    if shown_on_step != case.step or (action.steps and case.step not in action.steps):
        return STALE
    return ALLOW if actor.roles & route.expand(action.roles) else WRONG_ROLE


# Who sees the route report (aggregates only; docs/report.md). A school's figures: its leadership and care
# coordinators, and the SWV-er who supports it. Across schools — one route or a whole calendar region — only
# the samenwerkingsverband, which works above the school; there the small-cell rule hides counts under 5.
REPORT_ROLES: dict[str, frozenset[RoleId]] = {
    "school": frozenset({"directie", "ib", "zorgcoordinator", "swv"}),
    "route": frozenset({"swv"}),
    "region": frozenset({"swv"}),
}
NO_REPORT = Decision(False, N_("report.not_allowed"))


def can_see_report(roles: frozenset[RoleId], level: str) -> Decision:
    """`roles` are what the member holds at the school whose figures (or whose region's) they ask for."""
    return ALLOW if roles & REPORT_ROLES.get(level, frozenset()) else NO_REPORT


# Who plans the VOT meeting (`/vot plan`) at a school: the care coordinators and the leadership. The members
# invited are the route's `vot` roles (bot/services/meetings.py); planning is a smaller circle.
VOT_PLANNER_ROLES: frozenset[RoleId] = frozenset({"ib", "zorgcoordinator", "directie"})
NOT_A_PLANNER = Decision(False, N_("vot.plan.not_allowed"))


def can_plan_vot(actor: Actor) -> Decision:
    """Plan, move or cancel the VOT meetings of `actor`'s school."""
    return ALLOW if actor.roles & VOT_PLANNER_ROLES else NOT_A_PLANNER


def actionable_steps(route: Route, roles: frozenset[RoleId]) -> frozenset[str]:
    """The steps a holder of `roles` acts on in this route (for "what waits for me")."""
    return frozenset(s.id for s in route.steps.values() if not s.terminal and roles & route.expand(s.actors))
