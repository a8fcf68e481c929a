"""The one access policy. Every command, every list, every notification and every button press asks it;
nothing else decides access.

Need-to-know by participation and consent (docs/privacy.md). A route's `visibility` says who sees a case:
participants by reason (the teacher who signalled, the IB-er who acted, the coach who was picked) and
roles, some only once the parents consented (or a consent exception flag, the safety route, is set). The
roles the current step waits on see the case while it waits on them (for a role the step names in
`acted_by`: only its participants for those reasons). Recorded answers are read per group: who sees a case
but not a group gets its status view (step, who holds it, open or closed, the next date), not the family's
details. Acting on a step needs one of the step's roles (or their synonyms, e.g. zorgcoördinator for IB-er
in VO) or an assignment, and, where the step says so, taking part for a named reason. A route without
`visibility` keeps the old rule: the school's VOT sees every case. A case the member may not see, at this
school or another, is answered exactly like a case that does not exist, so nobody learns that it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.case import Case
from flows.msgids import N_, Msg
from flows.participants import Grant, reasons_of
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
NOT_YOURS = Decision(False, N_("access.not_your_answer"))


def can_start(actor: Actor, route: Route) -> Decision:
    return ALLOW if actor.roles & route.expand(route.start.roles) else WRONG_ROLE


def can_view(actor: Actor, case: Case, route: Route) -> Decision:
    if actor.school_id != case.school_id or not actor.roles:
        # Taking part ends with leaving the school: a participant without a role there sees nothing.
        return NOT_FOUND
    if actor.member_id == case.created_by:
        return ALLOW
    if case.status == "draft":
        # A draft is the teacher's own until they confirm it.
        return NOT_FOUND
    if actor.member_id in case.assigned.values():
        return ALLOW
    if route.visibility is None:
        if actor.roles & route.expand(route.vot):
            return ALLOW
    else:
        step = route.steps.get(case.step)
        grants = route.visibility.case + (step.visible if step is not None and case.is_open else ())
        if any(granted(g, actor, case, route) for g in grants):
            return ALLOW
    if _waits_on(actor, case, route):
        return ALLOW
    return NOT_FOUND


def granted(grant: Grant, actor: Actor, case: Case, route: Route) -> bool:
    """`grant` lets `actor` in: they hold one of its roles or take part for one of its reasons, and, with
    `when: consent`, the parents consented or the route names a flag of the case as the exception."""
    if grant.when == "consent" and not consent_holds(case, route):
        return False
    if actor.roles & route.expand(grant.roles):
        return True
    return bool(reasons_of(case, actor.member_id) & set(grant.participants))


def consent_holds(case: Case, route: Route) -> bool:
    exceptions = route.visibility.consent_exception if route.visibility is not None else ()
    return case.consent_given or bool(case.flags & set(exceptions))


def _waits_on(actor: Actor, case: Case, route: Route) -> bool:
    """The open case's current step needs `actor`: e.g. the wijkteamleider a referral was just sent to, who
    is named in no other grant. Without this they would be notified of a case they cannot open. Once the
    case moves on they keep access only as a participant, so need-to-know holds."""
    if not case.is_open:
        return False
    step = route.steps.get(case.step)
    return step is not None and not step.terminal and _is_step_actor(actor, case, route, step.id)


def _is_step_actor(actor: Actor, case: Case, route: Route, step_id: str) -> bool:
    """`actor` holds one of the step's roles, and for a role the step names in `acted_by` ("the participant
    who …") also takes part in the case for one of its reasons: the role alone is not enough there."""
    step = route.step(step_id)
    mine = reasons_of(case, actor.member_id)
    for role in actor.roles & route.expand(step.actors):
        needed = [r for plays, r in step.acted_by.items() if role in route.expand((plays,))]
        if not needed or any(mine & set(reasons) for reasons in needed):
            return True
    return False


def can_read(actor: Actor, case: Case, route: Route, step_id: str) -> bool:
    """May `actor`, who sees the case, read what was recorded at `step_id`? By the step's visibility group;
    what they recorded themselves they always read. A route without visibility: whoever sees the case."""
    if not can_view(actor, case, route):
        return False
    step = route.steps.get(step_id)
    if route.visibility is None:
        return True
    if any(e.member_id == actor.member_id and e.step == step_id for e in case.timeline):
        return True
    if step is None:
        # Another route's step: a sub-route the case went through (the Meldcode's weighing, read back in
        # the calling route) or the route it came from. This route's groups say nothing about it.
        return False
    if _waits_on(actor, case, route):  # whom the open step waits on reads what they need to act on it
        return True
    if case.status == "draft":  # only its creator sees a draft
        return True
    if step.group is None:  # the route test refuses a shipped step without a group
        return False
    return any(granted(g, actor, case, route) for g in route.visibility.groups.get(step.group, ()))


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
    if _is_step_actor(actor, case, route, step_id):
        return ALLOW
    if any(case.assigned.get(role) == actor.member_id for role in route.expand(step.actors)):
        return ALLOW
    return WRONG_ROLE


def can_correct(actor: Actor, case: Case, route: Route, step_id: str) -> Decision:
    """A correction after confirming: only by who submitted the step (its latest submission), and only
    while the case is open."""
    seen = can_view(actor, case, route)
    if not seen:
        return seen
    if case.status != "open":  # a draft has nothing confirmed yet; a closed case is not changed
        return STALE if case.status == "draft" else CLOSED
    if step_id not in case.data or step_id not in route.steps:
        return STALE
    submitted = [e for e in case.timeline if e.step == step_id and e.action == "submitted"]
    if not submitted or submitted[-1].member_id != actor.member_id:
        return NOT_YOURS
    return ALLOW


def can_do_action(actor: Actor, case: Case, route: Route, action: Action, shown_on_step: str) -> Decision:
    seen = can_view(actor, case, route)
    if not seen:
        return seen
    if not case.is_open or case.status == "draft":
        return CLOSED if not case.is_open else NOT_FOUND
    if shown_on_step != case.step or (action.steps and case.step not in action.steps):
        return STALE
    if not actor.roles & route.expand(action.roles):
        return WRONG_ROLE  # whatever the case's state: a role that may never do it is told so
    if action.flags and action.flags <= case.flags:  # done before ("Zorg om veiligheid" on a flagged case)
        return STALE
    return ALLOW


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
