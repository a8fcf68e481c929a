"""The route engine: `advance(case, actor, input, now) -> Result(case, events)`.

Pure: it sends nothing, stores nothing and reads no clock. A refused input returns the case unchanged
with one `Refused` event, so the edge can answer and know nothing was written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flows import events as ev
from flows import inputs as inp
from flows import participants as parts
from flows import policy
from flows.case import Case, Consent, Correction, Draft, Pupil, RouteFrame, TimelineEntry
from flows.msgids import N_, Msg
from flows.policy import Actor, Decision
from flows.registry import RouteRegistry
from flows.roles import RoleId
from flows.route import Action, Condition, Effect, Field, FollowUp, Route, Step, Transition
from flows.values import ValueProblem, check_date, parse_date, parse_pupil


@dataclass(frozen=True)
class Result:
    case: Case
    events: tuple[ev.Event, ...]

    @property
    def refused(self) -> bool:
        return any(isinstance(e, ev.Refused) for e in self.events)


SYSTEM = None  # the actor of a timeout
# What the engine says when a step is submitted; the Mini App recognises a submit (confirm: false) by it.
SUBMITTED = N_("engine.submitted")


class RouteEngine:
    def __init__(self, routes: RouteRegistry) -> None:
        self.routes = routes

    def route_of_step(self, case: Case, step_id: str) -> Route:
        """The route `step_id` of `case` belongs to: the route it is in now, else one it will return to,
        else a sub-route it went through (a press on the Meldcode's last step lands after the case went
        back to its calling route). The case's own route when none has it (the caller's lookup fails)."""
        current = self.routes.get(case.route_id, case.route_version)
        if step_id in current.steps:
            return current
        pinned = [(f.route_id, f.route_version) for f in reversed(case.stack)]
        for entry in reversed(case.timeline):
            if entry.action.startswith("enter_route:"):
                route_id, _, version = str(entry.summary.get("route", "")).rpartition("@")
                if route_id and version.isdigit():
                    pinned.append((route_id, int(version)))
        for pinned_id, pinned_version in pinned:
            route = self.routes.get(pinned_id, pinned_version)
            if step_id in route.steps:
                return route
        return current

    def alerts(self, action: Action) -> tuple[RoleId, ...]:
        """The roles `action` alerts, which is why it is confirmed first: its own notifications, and for a
        hand-over to a sub-route (Meldcode starten) those of the step the case enters there."""
        roles = list(action.alerts)
        handover = _handover(action.effects)
        if handover is not None:
            entry = self.routes.latest(handover["route"]).step(self._landing(action.effects, ""))
            roles += [r for e in entry.on_enter if e.kind == "notify" for r in e.args["roles"]]
        return tuple(dict.fromkeys(roles))

    # -- starting -------------------------------------------------------------------------------
    def start(
        self, route_id: str, actor: Actor, *, ref: str, now: datetime, timezone: str = "Europe/Amsterdam"
    ) -> Result | ev.Refused:
        """Begin a case as a draft owned by `actor`, asking the first question of the start step."""
        route = self.routes.latest(route_id)
        allowed = policy.can_start(actor, route)
        if not allowed:
            return ev.Refused(actor.member_id, allowed.reason)
        case = Case(
            ref=ref,
            school_id=actor.school_id,
            route_id=route.id,
            route_version=route.version,
            step=route.start.step,
            status="draft",
            created_by=actor.member_id,
            created_at=now,
            timezone=timezone,
            step_entered_at=now,
        )
        case = parts.join(case, actor.member_id, parts.SIGNALLED, now, route.start.step)
        return self._open(route, case, actor, route.step(route.start.step))

    # -- advancing ------------------------------------------------------------------------------
    def advance(self, case: Case, actor: Actor | None, given: inp.Input, now: datetime) -> Result:
        route = self.routes.get(case.route_id, case.route_version)
        if isinstance(given, inp.Timeout):
            return self._timeout(route, case, given, now)
        if actor is None:
            raise ValueError("only a timeout may come without an actor")
        if isinstance(given, inp.DoAction):
            return self._action(route, case, actor, given, now)
        if isinstance(given, inp.Discard):
            return self._discard(case, actor, now)
        if isinstance(given, inp.Correct):
            return self._correct(route, case, actor, given, now)
        if isinstance(given, inp.Open):
            allowed = policy.can_act(actor, case, route, given.step)
            if not allowed:
                return _refuse(case, actor, allowed)
            return self._open(route, case, actor, route.step(given.step))
        return self._answer(route, case, actor, given, now)

    def _open(self, route: Route, case: Case, actor: Actor, step: Step) -> Result:
        draft = Draft(step=step.id, values={}, pending=None)
        case = case.with_(drafts={**case.drafts, actor.member_id: draft})
        return self._ask_next(route, case, actor, step, draft)

    def _answer(self, route: Route, case: Case, actor: Actor, given: inp.Input, now: datetime) -> Result:
        step_id = getattr(given, "step", case.step)
        allowed = policy.can_act(actor, case, route, step_id)
        if not allowed:
            return _refuse(case, actor, allowed)
        draft = case.drafts.get(actor.member_id)
        if draft is None or draft.step != case.step:
            return _refuse(case, actor, policy.STALE)
        step = route.step(case.step)
        if isinstance(given, inp.Confirm):
            if draft.pending is not None or not step.confirm:
                return _refuse(case, actor, policy.STALE)
            return self._submit(route, case, actor, step, draft.values, now)
        if isinstance(given, inp.Reopen):
            return self._reopen(case, actor, step, draft, given.field)
        field_id = getattr(given, "field", draft.pending)
        field = step.field(field_id) if field_id else None
        if field is None or field_id != draft.pending:
            return _refuse(case, actor, policy.STALE)
        try:
            value, finished = _take(field, draft.values.get(field.id), given, case, now)
        except ValueProblem as problem:
            return Result(case, (ev.Refused(actor.member_id, problem.message, dict(problem.params)),))
        values = {**draft.values, field.id: value}
        if not finished:  # a multi-choice tick: ask the same field again with the new selection
            draft = replace(draft, values=values)
            case = case.with_(drafts={**case.drafts, actor.member_id: draft})
            return Result(case, (_prompt(case, actor, step, field, draft),))
        draft = replace(draft, values=values)
        case = case.with_(drafts={**case.drafts, actor.member_id: draft})
        return self._ask_next(route, case, actor, step, draft, now=now)

    def _reopen(self, case: Case, actor: Actor, step: Step, draft: Draft, field_id: str) -> Result:
        """From the summary, ask one answered field again; the rest stays as answered. A multi-choice
        keeps its ticks to change; any other answer is given anew."""
        field = step.field(field_id)
        if draft.pending is not None or field is None or not _holds(field.when, draft.values, case):
            return _refuse(case, actor, policy.STALE)
        multi = field.kind == "multi" or (field.kind == "member" and field.multiple)
        values = draft.values if multi else {k: v for k, v in draft.values.items() if k != field.id}
        draft = replace(draft, values=values, pending=field.id)
        case = case.with_(drafts={**case.drafts, actor.member_id: draft})
        return Result(case, (_prompt(case, actor, step, field, draft),))

    def _ask_next(
        self, route: Route, case: Case, actor: Actor, step: Step, draft: Draft, now: datetime | None = None
    ) -> Result:
        # A changed answer can leave a field that no longer applies: its old answer goes.
        applies = {f.id for f in step.fields if _holds(f.when, draft.values, case)}
        draft = replace(draft, values={k: v for k, v in draft.values.items() if k in applies})
        answered = set(draft.values)
        for field in step.fields:
            if field.id in answered or not _holds(field.when, draft.values, case):
                continue
            draft = replace(draft, pending=field.id)
            case = case.with_(drafts={**case.drafts, actor.member_id: draft})
            return Result(case, (_prompt(case, actor, step, field, draft),))
        draft = replace(draft, pending=None)
        case = case.with_(drafts={**case.drafts, actor.member_id: draft})
        if step.confirm or now is None:
            # `now is None` only when a step without fields is opened: it still needs a press to submit.
            return Result(case, (_summary(case, actor, step, draft),))
        return self._submit(route, case, actor, step, draft.values, now)

    # -- submitting -----------------------------------------------------------------------------
    def _submit(
        self, route: Route, case: Case, actor: Actor, step: Step, values: dict[str, Any], now: datetime
    ) -> Result:
        transition = _choose(step.transitions, values, case)
        before = case
        events: list[ev.Event] = []
        case = case.with_(data={**case.data, step.id: values}, earlier=_keep_earlier(case, step.id))
        pupil = next((values[f.id] for f in step.fields if f.kind == "pupil" and f.id in values), None)
        if pupil is not None:
            case = case.with_(
                pupil=Pupil(id=pupil.get("id"), label=pupil["label"], number=pupil.get("number"))
            )
        if case.status == "draft":
            case = case.with_(status="open")
        target = transition.to
        landing = self._landing(transition.effects, target or step.id)
        case, effect_events = _apply(transition.effects, case, actor, values, now, landing)
        events.extend(effect_events)
        # The guard looks at the case after this transition's own effects (which may record consent).
        summary = _summarise(step, values)
        if transition.requires_consent and not case.consent_given:
            if "safety" not in case.flags:
                return Result(before, (ev.Refused(actor.member_id, N_("access.no_consent")),))
            summary["consent_exception"] = "safety"  # the seed's one exception, on the timeline
        role = _acting_role(route, step, actor)
        if actor.member_id != case.created_by and not _submitted_by_others(case):
            events.append(_status(case, actor, N_("status.picked_up")))
        case = _take_part(case, step, actor, role, values, now)
        entry = TimelineEntry(now, actor.member_id, role, step.id, "submitted", summary, target)
        case = case.with_(timeline=(*case.timeline, entry), drafts=_drop_draft(case, actor.member_id))
        events.append(ev.Say(actor.member_id, SUBMITTED, {"step": step.title, "ref": case.ref}))
        if case.is_open and (target is not None or _handover(transition.effects)):
            case, move_events = self._move(route, case, actor, target or step.id, transition.effects, now)
            events.extend(move_events)
            # The move may have handed the case to a sub-route (the Meldcode) or back: ask its route now.
            current = self.routes.get(case.route_id, case.route_version)
            if target != step.id and policy.can_act(actor, case, current, case.step):
                # The next step is the actor's own too: its first question follows at once, rather than
                # after /mijn and "Oppakken".
                opened = self._open(current, case, actor, current.step(case.step))
                case = opened.case
                events.extend(opened.events)
        return Result(case, tuple(events))

    def _action(self, route: Route, case: Case, actor: Actor, given: inp.DoAction, now: datetime) -> Result:
        action = route.actions.get(given.action)
        if action is None:
            return _refuse(case, actor, policy.STALE)
        allowed = policy.can_do_action(actor, case, route, action, given.step)
        if not allowed:
            return _refuse(case, actor, allowed)
        landing = self._landing(action.effects, action.to or case.step)
        case, events = _apply(action.effects, case, actor, {}, now, landing)
        role = next(iter(sorted(actor.roles & route.expand(action.roles))), None)
        if role is not None:
            case = parts.join(case, actor.member_id, role, now, case.step)
        entry = TimelineEntry(now, actor.member_id, role, case.step, f"action:{action.id}", {}, action.to)
        case = case.with_(timeline=(*case.timeline, entry))
        out = list(events)
        out.append(
            ev.Say(actor.member_id, N_("engine.action_done"), {"action": action.label, "ref": case.ref})
        )
        handover = _handover(action.effects)
        if case.is_open and (handover or (action.to is not None and action.to != case.step)):
            case, move_events = self._move(route, case, actor, action.to or case.step, action.effects, now)
            out.extend(move_events)
        return Result(case, tuple(out))

    def _correct(self, route: Route, case: Case, actor: Actor, given: inp.Correct, now: datetime) -> Result:
        """Add a correction to a confirmed answer of the actor's own step: appended, and on the timeline."""
        allowed = policy.can_correct(actor, case, route, given.step)
        if not allowed:
            return _refuse(case, actor, allowed)
        step = route.step(given.step)
        field = step.field(given.field)
        if field is None:
            return _refuse(case, actor, policy.STALE)
        try:
            value = _corrected(field, given.value, case, now)
        except ValueProblem as problem:
            return Result(case, (ev.Refused(actor.member_id, problem.message, dict(problem.params)),))
        attempt = len(case.earlier.get(step.id, ()))
        correction = Correction(step.id, field.id, value, actor.member_id, now, attempt)
        role = _acting_role(route, step, actor)
        entry = TimelineEntry(
            now, actor.member_id, role, step.id, "corrected", _summarise(step, {field.id: value})
        )
        case = case.with_(corrections=(*case.corrections, correction), timeline=(*case.timeline, entry))
        return Result(
            case, (ev.Say(actor.member_id, N_("engine.corrected"), {"step": step.title, "ref": case.ref}),)
        )

    def _timeout(self, route: Route, case: Case, given: inp.Timeout, now: datetime) -> Result:
        if timeout_is_void(case.status, case.step, given.step):
            return Result(case, ())
        follow_up = next((f for f in route.step(case.step).follow_ups if f.id == given.follow_up), None)
        if follow_up is None:
            return Result(case, ())
        case, events = _apply(
            follow_up.effects,
            case,
            None,
            {},
            now,
            self._landing(follow_up.effects, follow_up.to or case.step),
            actions=follow_up.actions,
        )
        # A reminder names its follow-up, so the edge can offer to postpone it and to open the step.
        events = [replace(e, follow_up=follow_up.id) if isinstance(e, ev.Notify) else e for e in events]
        entry = TimelineEntry(now, None, None, case.step, f"follow_up:{follow_up.id}", {}, follow_up.to)
        case = case.with_(timeline=(*case.timeline, entry))
        out = list(events)
        handover = _handover(follow_up.effects)
        if case.is_open and (handover or (follow_up.to is not None and follow_up.to != case.step)):
            case, move_events = self._move(
                route, case, None, follow_up.to or case.step, follow_up.effects, now
            )
            out.extend(move_events)
        return Result(case, tuple(out))

    # -- moving, between steps and between routes ------------------------------------------------
    def _landing(self, effects: tuple[Effect, ...], target: str) -> str:
        """The step the case lands on (what a notification's "open" button names): `target`, or the entry
        step of the sub-route `effects` hand the case to."""
        handover = _handover(effects)
        return self.routes.latest(handover["route"]).entry_step if handover else target

    def _move(
        self,
        route: Route,
        case: Case,
        actor: Actor | None,
        target: str,
        effects: tuple[Effect, ...],
        now: datetime,
    ) -> tuple[Case, list[ev.Event]]:
        """Enter `target`; or, when `effects` hand the case to a sub-route (`enter_route`), that route's
        entry step, remembering where to come back. A sub-route's terminal step does not close the case:
        it returns the case to the calling route's `return_to` step (like a RapidPro subflow's exit)."""
        events: list[ev.Event] = []
        handover = _handover(effects)
        if handover is not None:
            sub = self.routes.latest(handover["route"])
            # No `return_to` (a case action offered on every step): back where it was handed over from.
            frame = RouteFrame(route.id, route.version, handover.get("return_to") or case.step)
            member = actor.member_id if actor else None
            summary = {"route": f"{sub.id}@{sub.version}", "return_to": frame.return_to}
            entry = TimelineEntry(
                now, member, None, case.step, f"enter_route:{sub.id}", summary, sub.entry_step
            )
            case = case.with_(
                route_id=sub.id,
                route_version=sub.version,
                stack=(*case.stack, frame),
                timeline=(*case.timeline, entry),
            )
            events.append(ev.RouteEntered(case.ref, sub.id, sub.version, route.id))
            route, target = sub, sub.entry_step
        case, entered = _enter(route, case, actor, target, now)
        events.extend(entered)
        if route.step(target).terminal and case.stack and case.is_open:
            frame = case.stack[-1]
            caller = self.routes.get(frame.route_id, frame.route_version)
            entry = TimelineEntry(
                now, None, None, target, f"returned:{route.id}", {"outcome": target}, frame.return_to
            )
            case = case.with_(
                route_id=caller.id,
                route_version=caller.version,
                stack=case.stack[:-1],
                timeline=(*case.timeline, entry),
            )
            events.append(ev.RouteReturned(case.ref, route.id, target, caller.id))
            case, back = self._move(caller, case, actor, frame.return_to, (), now)
            events.extend(back)
        return case, events

    def _discard(self, case: Case, actor: Actor, now: datetime) -> Result:
        if actor.member_id not in case.drafts:
            # Someone who may not see the case learns nothing of it, not even that it exists.
            seen = policy.can_view(actor, case, self.routes.get(case.route_id, case.route_version))
            if not seen:
                return _refuse(case, actor, seen)
            return Result(case, (ev.Say(actor.member_id, N_("engine.nothing_to_cancel")),))
        drafts = _drop_draft(case, actor.member_id)
        if case.status == "draft" and case.created_by == actor.member_id:
            entry = TimelineEntry(now, actor.member_id, None, case.step, "cancelled", {})
            case = case.with_(status="cancelled", drafts=drafts, timeline=(*case.timeline, entry))
        else:
            case = case.with_(drafts=drafts)
        return Result(case, (ev.Say(actor.member_id, N_("engine.cancelled")),))


# -- helpers ------------------------------------------------------------------------------------
def _refuse(case: Case, actor: Actor, decision: Decision) -> Result:
    return Result(case, (ev.Refused(actor.member_id, decision.reason),))


def _drop_draft(case: Case, member_id: int) -> dict[int, Draft]:
    return {m: d for m, d in case.drafts.items() if m != member_id}


def _keep_earlier(case: Case, step_id: str) -> dict[str, tuple[dict[str, Any], ...]]:
    """The earlier submissions of `step_id` once it is submitted again: an attempt is history, never lost."""
    if step_id not in case.data:
        return case.earlier
    return {**case.earlier, step_id: (*case.earlier.get(step_id, ()), case.data[step_id])}


def _local_today(case: Case, now: datetime) -> date:
    return now.astimezone(ZoneInfo(case.timezone)).date()


def _take(field: Field, current: Any, given: inp.Input, case: Case, now: datetime) -> tuple[Any, bool]:
    """The value `given` sets for `field`, and whether the field is finished."""
    if field.kind == "member":
        return _take_member(field, current, given)
    options = {o.value for o in field.options}
    if isinstance(given, inp.Choose):
        if field.kind != "choice" or given.value not in options:
            raise ValueProblem(N_("input.use_buttons"))
        return given.value, True
    if isinstance(given, inp.Toggle):
        if field.kind != "multi" or given.value not in options:
            raise ValueProblem(N_("input.use_buttons"))
        chosen = list(current or [])
        chosen = [v for v in chosen if v != given.value] if given.value in chosen else [*chosen, given.value]
        return [o.value for o in field.options if o.value in chosen], False
    if isinstance(given, inp.Done):
        if field.kind == "multi":
            if not current and not field.optional:
                raise ValueProblem(N_("input.pick_at_least_one"))
            return list(current or []), True
        if not field.optional:
            raise ValueProblem(N_("input.required"))
        return None, True
    if isinstance(given, inp.SetValue):
        if field.kind == "pupil" and isinstance(given.value, dict) and given.value.get("label"):
            return {
                "id": given.value.get("id"),
                "label": str(given.value["label"]),
                "number": given.value.get("number"),
            }, True
        if field.kind == "date" and isinstance(given.value, str):
            try:
                parsed = date.fromisoformat(given.value)
            except ValueError as exc:
                raise ValueProblem(N_("input.date_invalid")) from exc
            return check_date(parsed, _local_today(case, now), field.tense).isoformat(), True
        raise ValueProblem(N_("input.use_buttons"))
    if isinstance(given, inp.Answer):
        text = given.text.strip()
        if field.kind in ("choice", "multi"):
            raise ValueProblem(N_("input.use_buttons"))
        if not text:
            raise ValueProblem(N_("input.required"))
        if field.kind == "text":
            if len(text) > field.max_length:
                raise ValueProblem(N_("input.too_long"), max=field.max_length, length=len(text))
            return text, True
        if field.kind == "date":
            return parse_date(text, _local_today(case, now), field.tense).isoformat(), True
        if field.kind == "pupil":
            return parse_pupil(text), True
    raise ValueProblem(N_("input.use_buttons"))


def _corrected(field: Field, typed: str, case: Case, now: datetime) -> Any:
    """A correction's value: free text (as long as the field allows), a date (on the field's side of
    today), or one of a choice field's options. Other kinds are not corrected afterwards."""
    text = typed.strip()
    if field.kind == "choice":
        if text not in {o.value for o in field.options}:
            raise ValueProblem(N_("input.use_buttons"))
        return text
    if field.kind not in ("text", "date"):
        raise ValueProblem(N_("input.not_correctable"))
    if not text:
        raise ValueProblem(N_("input.required"))
    if field.kind == "date":
        return parse_date(text, _local_today(case, now), field.tense).isoformat()
    if len(text) > field.max_length:
        raise ValueProblem(N_("input.too_long"), max=field.max_length, length=len(text))
    return text


def _take_member(field: Field, current: Any, given: inp.Input) -> tuple[Any, bool]:
    """A member field's value: a member id (or, with `multiple`, a list of them). The edge offers and
    checks the candidates (holders of the field's roles at the case's school) before it passes a press on."""
    raw = getattr(given, "value", None)
    if isinstance(given, inp.Done):
        if field.multiple and (current or field.optional):
            return list(current or []), True
        if field.optional:
            return None, True
        raise ValueProblem(N_("input.pick_at_least_one") if field.multiple else N_("input.required"))
    try:
        member = int(raw) if isinstance(raw, (int, str)) and not isinstance(raw, bool) else None
    except ValueError:
        member = None
    if member is None or isinstance(given, inp.Answer):
        raise ValueProblem(N_("input.use_buttons"))
    if field.multiple and isinstance(given, inp.Toggle):
        chosen = list(current or [])
        return ([m for m in chosen if m != member] if member in chosen else [*chosen, member]), False
    if not field.multiple and isinstance(given, (inp.Choose, inp.SetValue)):
        return member, True
    raise ValueProblem(N_("input.use_buttons"))


def _take_part(
    case: Case, step: Step, actor: Actor, role: str | None, values: dict[str, Any], now: datetime
) -> Case:
    """Who takes part once `step` is submitted: the actor (for the role they acted in), the members the
    step's member fields picked (for the field's reason) and whom the step's `assign` names."""
    if role is not None:
        case = parts.join(case, actor.member_id, role, now, step.id)
    for field in step.fields:
        if field.kind == "member" and field.assign is not None:
            for member in _members(values.get(field.id)):
                case = parts.join(case, member, field.assign, now, step.id)
    for assign in step.assign:
        if assign.member_from == parts.ACTOR:
            case = parts.join(case, actor.member_id, assign.reason, now, step.id)
        else:
            for member in _members(values.get(assign.member_from)):
                case = parts.join(case, member, assign.reason, now, step.id)
    return case


def _members(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, list) else [int(value)]


def _handover(effects: tuple[Effect, ...]) -> dict[str, Any] | None:
    """The `enter_route` among `effects`, if any: {route, return_to}."""
    return next((e.args for e in effects if e.kind == "enter_route"), None)


def _holds(cond: Condition, values: dict[str, Any], case: Case) -> bool:
    for field_id, accepted in cond.equals:
        value = values.get(field_id)
        if isinstance(value, list):
            if not set(value) & set(accepted):
                return False
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            if shown not in accepted:
                return False
    if any(flag not in case.flags for flag in cond.flags):
        return False
    if any(flag in case.flags for flag in cond.not_flags):
        return False
    return all(case.counters.get(name, 0) >= n for name, n in cond.counter_at_least)


def _choose(transitions: tuple[Transition, ...], values: dict[str, Any], case: Case) -> Transition:
    # The loader guarantees the last transition is unconditional.
    return next(t for t in transitions if _holds(t.when, values, case))


def _apply(
    effects: tuple[Effect, ...],
    case: Case,
    actor: Actor | None,
    values: dict[str, Any],
    now: datetime,
    target_step: str,
    actions: tuple[str, ...] = (),
) -> tuple[Case, list[ev.Event]]:
    events: list[ev.Event] = []
    member = actor.member_id if actor else None
    for effect in effects:
        kind, args = effect.kind, effect.args
        if kind == "notify":
            if args["when_flag"] is not None and args["when_flag"] not in case.flags:
                continue
            events.append(
                ev.Notify(
                    case.ref,
                    args["roles"],
                    args["message"],
                    args["urgent"],
                    member,
                    target_step,
                    tuple(args["actions"]) or actions,
                    participants=tuple(args.get("participants", ())),
                )
            )
        elif kind == "set_priority":
            case = case.with_(priority=args)
        elif kind == "flag":
            case = case.with_(flags=case.flags | {args})
        elif kind == "unflag":
            case = case.with_(flags=case.flags - {args})
        elif kind == "count":
            case = case.with_(counters={**case.counters, args: case.counters.get(args, 0) + 1})
        elif kind == "record_consent" and actor is not None:
            consent = Consent(
                status=values[args["status"]],
                method=values[args["method"]],
                on=values[args["date"]],
                by_member=actor.member_id,
                recorded_at=now,
            )
            case = case.with_(consent=consent)
        elif kind == "assign_regiehouder":
            case = case.with_(regiehouder=args)
        elif kind == "assign_actor" and actor is not None:
            case = case.with_(assigned={**case.assigned, args: actor.member_id})
        elif kind == "status":
            events.append(_status(case, actor, args))
        elif kind == "say" and member is not None:
            events.append(ev.Say(member, args, {"ref": case.ref}))
        elif kind == "close":
            case = case.with_(status="closed", outcome=args, drafts={})
            events.append(ev.CancelFollowUps(case.ref, case.step))
            events.append(ev.CaseClosed(case.ref, args))
    return case, events


def _enter(
    route: Route, case: Case, actor: Actor | None, step_id: str, now: datetime
) -> tuple[Case, list[ev.Event]]:
    """Move the case to `step_id`: cancel the old step's follow-ups, run on_enter, schedule the new ones."""
    previous = case.step
    step = route.step(step_id)
    # Re-entering the same step (another attempt) restarts its deadlines too.
    events: list[ev.Event] = [ev.CancelFollowUps(case.ref, previous)]
    case = case.with_(step=step_id, step_entered_at=now, drafts={} if previous != step_id else case.drafts)
    events.append(ev.StepEntered(case.ref, step_id, previous))
    case, on_enter = _apply(step.on_enter, case, actor, {}, now, step_id)
    events.extend(on_enter)
    if step.terminal and case.stack:
        pass  # a sub-route's end: the caller (RouteEngine._move) returns the case to the calling route
    elif step.terminal and case.is_open:
        case = case.with_(status="closed", outcome=case.outcome or step_id)
        events.append(ev.CaseClosed(case.ref, case.outcome or step_id))
        events.append(_status(case, actor, N_("status.closed")))
    elif case.is_open:
        events.extend(_schedule(case, step_id, f) for f in step.follow_ups if _schedulable(case, f))
    return case, events


def _status(case: Case, actor: Actor | None, message: Msg) -> ev.Notify:
    """A short status update for the member who signalled: no answers, no family details (the edge shows
    the ref, the pupil label and this message; opening the case shows them what the policy allows)."""
    exclude = actor.member_id if actor is not None else None
    return ev.Notify(case.ref, (), message, exclude=exclude, participants=(parts.SIGNALLED,))


def _submitted_by_others(case: Case) -> bool:
    return any(e.action == "submitted" and e.member_id != case.created_by for e in case.timeline)


def _schedulable(case: Case, follow_up: FollowUp) -> bool:
    # A date the route names but nobody recorded (an optional field left empty) sets no deadline.
    if follow_up.on_date is None:
        return True
    step_id, field_id = follow_up.on_date
    return bool(case.data.get(step_id, {}).get(field_id))


def _schedule(case: Case, step_id: str, follow_up: FollowUp) -> ev.ScheduleFollowUp:
    on = None
    if follow_up.on_date is not None:
        on = str(case.data[follow_up.on_date[0]][follow_up.on_date[1]])
    return ev.ScheduleFollowUp(case.ref, step_id, follow_up.id, follow_up.after, on, follow_up.at)


def _acting_role(route: Route, step: Step, actor: Actor) -> str | None:
    roles = sorted(actor.roles & route.expand(step.actors))
    return roles[0] if roles else None


def _summarise(step: Step, values: dict[str, Any]) -> dict[str, Any]:
    """What the timeline keeps of an answer: choices, dates and the pupil label, never free text."""
    out: dict[str, Any] = {}
    for field in step.fields:
        if field.id not in values or values[field.id] is None:
            continue
        value = values[field.id]
        if field.kind == "text":
            out[field.id] = {"text": True}
        elif field.kind == "pupil":
            out[field.id] = value["label"]
        else:
            out[field.id] = value
    return out


def _prompt(case: Case, actor: Actor, step: Step, field: Field, draft: Draft) -> ev.Prompt:
    multi = field.kind == "multi" or (field.kind == "member" and field.multiple)
    selected = tuple(str(v) for v in draft.values.get(field.id) or ()) if multi else ()
    return ev.Prompt(
        member=actor.member_id,
        case_ref=case.ref,
        step=step.id,
        field=field.id,
        kind=field.kind,
        message=field.prompt,
        options=tuple((o.value, o.label) for o in field.options),
        selected=selected,
        optional=field.optional,
        max_length=field.max_length if field.kind == "text" else 0,
        roles=field.roles,
        multiple=field.multiple,
        tense=field.tense,
    )


def _summary(case: Case, actor: Actor, step: Step, draft: Draft) -> ev.Summary:
    shown = [f.id for f in step.fields if draft.values.get(f.id) not in (None, [])]
    return ev.Summary(actor.member_id, case.ref, step.id, shown_answers(step, draft.values), tuple(shown))


def answers_of(route: Route, case: Case, member_id: int, step_id: str) -> tuple[tuple[Msg, str, str], ...]:
    """What `member_id` has answered on `step_id` so far, as a summary shows it: their open draft of it,
    else what the step recorded last. The edge edits an answered question to show this."""
    if step_id not in route.steps:
        return ()
    draft = case.drafts.get(member_id)
    if draft is not None and draft.step == step_id:
        # The field still being asked is shown by its own question (a multi-choice being ticked).
        values = {k: v for k, v in draft.values.items() if k != draft.pending}
    else:
        values = case.data.get(step_id, {})
    return shown_answers(route.step(step_id), values)


def shown_answers(step: Step, values: dict[str, Any]) -> tuple[tuple[Msg, str, str], ...]:
    """(prompt, kind, value) per answered field, in the step's order (see `ev.Summary.values`)."""
    shown: list[tuple[Msg, str, str]] = []
    for field in step.fields:
        value = values.get(field.id)
        if value is None or value == []:
            continue
        labels = {o.value: o.label for o in field.options}
        if field.kind == "choice":
            shown.append((field.name, "choice", labels[value]))
        elif field.kind == "multi":
            shown.append((field.name, "multi", ",".join(labels[v] for v in value)))
        elif field.kind == "pupil":
            shown.append((field.name, "pupil", value["label"]))
        elif field.kind == "member":
            shown.append((field.name, "member", ",".join(str(m) for m in _members(value))))
        else:
            shown.append((field.name, field.kind, str(value)))
    return tuple(shown)


def awaited_field(route: Route, case: Case, member_id: int) -> Field | None:
    """The field `member_id`'s open form waits for a typed answer to, if any (the edge checks free text
    for names before it reaches the engine)."""
    draft = case.drafts.get(member_id)
    if draft is None or draft.step != case.step or draft.pending is None:
        return None
    return route.step(case.step).field(draft.pending)


def timeout_is_void(status: str, case_step: str, timeout_step: str) -> bool:
    """A follow-up of `timeout_step` that falls due on a case at `case_step` with `status` does nothing:
    the case moved on (another step, closed or cancelled) or is still a draft. The edge asks this before
    loading a case, so a burst of void follow-ups costs no case reads."""
    return status != "open" or case_step != timeout_step
