"""The access matrix: every step and action of every route × every role × same or other school ×
assigned or not × the reason the member takes part (or none) × the consent state, against a small spec
written here (not computed by flows/policy.py), through the policy for all routes and through the real
bot for the Vlaardingen route. Every bot command × every role, and every CLI command, has a row in a spec
table here: a new step, action or command cannot escape it."""

from __future__ import annotations

import argparse
import itertools
from datetime import UTC, datetime

import pytest

from bot.cli import build_parser
from bot.commands import COMMANDS
from bot.settings import Settings
from flows.case import Case, Consent, Pupil
from flows.clock import FrozenClock
from flows.participants import Grant, Participant
from flows.policy import Actor, can_act, can_do_action, can_read, can_view
from flows.registry import builtin_registry
from flows.roles import ROLES
from flows.route import Action, Route, Step
from tests.databases import SQLITE_ONLY
from tests.harness import BotHarness

ALLOW, NOT_FOUND, WRONG_ROLE, STALE = "allow", "access.not_found", "access.wrong_role", "access.stale"
ROUTES = builtin_registry().current()
CREATOR, ME = 900, 1
T = datetime(2026, 11, 23, 8, tzinfo=UTC)


# -- the spec: need-to-know, in a few lines ---------------------------------------------------------
# The dimensions: route × step × role × same or other school × assigned or not × the reason the member
# takes part in the case (or none) × the consent state (none, given, or the safety exception).
CONSENT_STATES = ("none", "given", "safety")


def reasons_in(route: Route) -> list[str | None]:
    """Every reason the route's data names (grants, acted_by, member fields, assign), and none."""
    assert route.visibility is not None
    named: set[str] = set()
    for g in (*route.visibility.case, *itertools.chain(*route.visibility.groups.values())):
        named.update(g.participants)
    for step in route.steps.values():
        for g in step.visible:
            named.update(g.participants)
        for reasons in step.acted_by.values():
            named.update(reasons)
        named.update(a.reason for a in step.assign)
        named.update(f.assign for f in step.fields if f.assign)
    return [None, *sorted(named)]


def _holds(route: Route, grants: tuple[Grant, ...], role: str, reason: str | None, consent: str) -> bool:
    """A grant lets in its roles (and their synonyms) and its participants; `when: consent` only once the
    parents consented or the case carries a flag the route names as the exception."""
    assert route.visibility is not None
    consented = consent == "given" or (consent == "safety" and "safety" in route.visibility.consent_exception)
    return any(
        (g.when == "always" or consented) and (role in route.expand(g.roles) or reason in g.participants)
        for g in grants
    )


def _step_actor(route: Route, step: Step, role: str, reason: str | None) -> bool:
    """One of the step's roles; for a role the step names in `acted_by`, only its participant."""
    if role not in route.expand(step.actors):
        return False
    needed = [reasons for plays, reasons in step.acted_by.items() if role in route.expand((plays,))]
    return not needed or any(reason in reasons for reasons in needed)


def spec_view(
    route: Route,
    step: Step,
    role: str,
    same_school: bool,
    assigned: bool,
    reason: str | None = None,
    consent: str = "none",
) -> str:
    """A case is seen by whom the route's visibility names (participants by reason, roles, some only after
    consent), by whom it is assigned to, and by whom its open step waits on; anyone else — and everyone at
    another school — is told it does not exist."""
    assert route.visibility is not None
    if not same_school:
        return NOT_FOUND
    if assigned or _holds(route, route.visibility.case + step.visible, role, reason, consent):
        return ALLOW
    return ALLOW if _step_actor(route, step, role, reason) else NOT_FOUND


def spec_act(
    route: Route,
    step: Step,
    role: str,
    same_school: bool,
    assigned: bool,
    reason: str | None = None,
    consent: str = "none",
) -> str:
    """A step is worked on by its roles (by its participant where it says so), or by whom it is assigned."""
    seen = spec_view(route, step, role, same_school, assigned, reason, consent)
    if seen != ALLOW:
        return seen
    return ALLOW if assigned or _step_actor(route, step, role, reason) else WRONG_ROLE


def spec_action(
    route: Route,
    action: Action,
    step: Step,
    role: str,
    same_school: bool,
    assigned: bool,
    reason: str | None = None,
    consent: str = "none",
) -> str:
    """An action is taken by its roles, on the steps it belongs to (all steps when none are named)."""
    seen = spec_view(route, step, role, same_school, assigned, reason, consent)
    if seen != ALLOW:
        return seen
    if action.steps and step.id not in action.steps:
        return STALE
    if role not in route.expand(action.roles):
        return WRONG_ROLE
    # The "safety" consent state is a case flagged unsafe: an action that only sets that flag is done.
    flags = {"safety"} if consent == "safety" else set()
    return STALE if action.flags and set(action.flags) <= flags else ALLOW


def spec_read(route: Route, step: Step, read: Step, role: str, reason: str | None, consent: str) -> bool:
    """What was recorded at `read` is read by its group's grants, and by whom the open step waits on."""
    assert route.visibility is not None and read.group is not None
    if spec_view(route, step, role, True, False, reason, consent) != ALLOW:
        return False
    if _step_actor(route, step, role, reason):
        return True
    return _holds(route, route.visibility.groups[read.group], role, reason, consent)


def make_case(
    route: Route,
    step: Step,
    *,
    ref: str,
    school: int,
    assigned_to: int | None,
    reason: str | None = None,
    consent: str = "none",
) -> Case:
    holder = sorted(route.expand(step.actors))[0]
    return Case(
        ref=ref,
        school_id=school,
        route_id=route.id,
        route_version=route.version,
        step=step.id,
        status="open",
        created_by=CREATOR,
        created_at=T,
        step_entered_at=T,
        pupil=Pupil(None, "AB 5"),
        assigned={} if assigned_to is None else {holder: assigned_to},
        participants=() if reason is None else (Participant(ME, reason, T, route.start.step),),
        consent=Consent("given", "telefoon", "2026-11-23", CREATOR, T) if consent == "given" else None,
        flags=frozenset({"safety"}) if consent == "safety" else frozenset(),
    )


def _open_steps(route: Route) -> list[Step]:
    return [s for s in route.steps.values() if not s.terminal]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_every_step_and_field_group_has_a_visibility_rule(route: Route) -> None:
    assert route.visibility is not None and route.visibility.case, f"{route.id}: no visibility"
    for step in route.steps.values():
        assert step.group is not None, f"{route.id}.{step.id}: no visibility group"
        assert route.visibility.groups.get(step.group), f"{route.id}.{step.id}: group {step.group} is empty"
    for name, grants in route.visibility.groups.items():
        assert grants and all(g.roles or g.participants for g in grants), f"{route.id}: group {name}"
        assert any(s.group == name for s in route.steps.values()), f"{route.id}: group {name} is unused"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_the_policy_follows_the_spec_for_every_step_role_school_reason_and_consent(route: Route) -> None:
    wrong = []
    for step in _open_steps(route):
        for role, same, assigned, reason, consent in itertools.product(
            sorted(ROLES), (True, False), (True, False), reasons_in(route), CONSENT_STATES
        ):
            if assigned and reason is not None:
                continue  # an assignment decides on its own
            case = make_case(
                route,
                step,
                ref="Z-1",
                school=1,
                assigned_to=ME if assigned else None,
                reason=reason,
                consent=consent,
            )
            actor = Actor(ME, 1 if same else 2, frozenset({role}))
            got = {"view": can_view(actor, case, route), "act": can_act(actor, case, route, step.id)}
            want = {
                "view": spec_view(route, step, role, same, assigned, reason, consent),
                "act": spec_act(route, step, role, same, assigned, reason, consent),
            }
            for action in route.actions.values():
                got[action.id] = can_do_action(actor, case, route, action, step.id)
                want[action.id] = spec_action(route, action, step, role, same, assigned, reason, consent)
            for key, decision in got.items():
                shown = ALLOW if decision else decision.reason
                if shown != want[key]:
                    wrong.append(
                        f"{step.id} {role} same={same} assigned={assigned} reason={reason} "
                        f"consent={consent} {key}: {shown} != {want[key]}"
                    )
            if same and not assigned:
                for read in route.steps.values():
                    if can_read(actor, case, route, read.id) != spec_read(
                        route, step, read, role, reason, consent
                    ):
                        wrong.append(f"{step.id} {role} reason={reason} consent={consent} read {read.id}")
    assert not wrong, "\n".join(wrong[:40])


# -- through the real bot: every role × every Vlaardingen step ---------------------------------------
VLAARDINGEN = next(r for r in ROUTES if r.id == "vlaardingen")


@SQLITE_ONLY  # the policy's answers; the command sweep above runs the same lookups on both engines
async def test_the_bot_answers_every_role_on_every_vlaardingen_step_as_the_spec_says(
    settings: Settings, clock: FrozenClock
) -> None:
    roles = sorted(ROLES)
    async with BotHarness(settings, clock=clock) as h:
        here, elsewhere = await h.add_school("Hier"), await h.add_school("Elders")
        users = {role: 100 + i for i, role in enumerate(roles)}
        for role, user in users.items():
            await h.register(user, role, school_id=here)
        outsiders = {role: 200 + i for i, role in enumerate(roles)}
        for role, user in outsiders.items():
            await h.register(user, role, school_id=elsewhere)
        await h.register(999, "admin", school_id=elsewhere)  # files the cases; sees none of them here
        cases = await _seed_cases(h, here, users)
        consented = await _seed_cases(h, here, users, consent="given")
        i18n = h.runtime.i18n if h.runtime else None
        assert i18n is not None

        wrong = []
        seeded = [(key, ref, "none") for key, ref in cases.items()]
        seeded += [(key, ref, "given") for key, ref in consented.items() if key[1] is None]
        for (step_id, assigned_role), ref, consent in seeded:
            step = VLAARDINGEN.step(step_id)
            people = (
                [(role, users[role], True) for role in roles]
                + [
                    (role, outsiders[role], False)
                    for role in roles
                    if role in VLAARDINGEN.expand(step.actors)
                ]
                if assigned_role is None
                else [(assigned_role, users[assigned_role], True)]
            )
            for role, user, same in people:
                want = spec_act(VLAARDINGEN, step, role, same, assigned_role is not None, consent=consent)
                before = await h.row_counts() if want != ALLOW else None
                h.received(user)
                await h.press(user, data=f"o:{ref}:{step.id}")
                answer = h.callback_answers(user)[-1]
                if want == ALLOW:
                    got = ALLOW if answer is None and h.received(user) else f"refused: {answer}"
                else:
                    expected = i18n.gettext(want, locale="nl")
                    got = want if answer == expected and h.received(user) == [] else f"answered: {answer}"
                    if await h.row_counts() != before:
                        got += " (and changed rows)"
                if got != want:
                    wrong.append(
                        f"{step.id} as {role} same={same} assigned={assigned_role} consent={consent}: "
                        f"{got} != {want}"
                    )
        assert not wrong, "\n".join(wrong)


async def _seed_cases(
    h: BotHarness, school: int, users: dict[str, int], consent: str = "none"
) -> dict[tuple[str, str | None], str]:
    """One case per open step, and per step one more assigned to a member who is neither in the VOT nor
    among the step's roles (leerplicht), so only the assignment lets them in; with `consent`, the parents'
    consent given (its refs start with C-)."""
    out: dict[tuple[str, str | None], str] = {}
    async with h.uow() as uow:
        assignee = await uow.members.by_telegram_id(users["leerplicht"])
        creator = await uow.members.by_telegram_id(999)
        assert assignee is not None and creator is not None
        for n, step in enumerate(_open_steps(VLAARDINGEN)):
            for assigned in (None, "leerplicht"):
                ref = f"{'C' if consent == 'given' else 'M'}-{n:02d}{'A' if assigned else ''}"
                case = make_case(
                    VLAARDINGEN,
                    step,
                    ref=ref,
                    school=school,
                    assigned_to=assignee.id if assigned else None,
                    consent=consent,
                )
                await uow.cases.save(case.with_(created_by=creator.id), T)
                out[(step.id, assigned)] = ref
        await uow.commit()
    return out


# -- every bot command × every role -----------------------------------------------------------------
STARTERS = VLAARDINGEN.expand(VLAARDINGEN.start.roles)
# name -> the roles it is answered for (None: every member; lists answer everyone with what they may
# see), and the refusal for the others. commands.py's `roles` says whom /help offers it to.
COMMAND_SPEC: dict[str, tuple[frozenset[str] | None, str | None]] = {
    "help": (None, None),
    "taal": (None, None),
    "annuleer": (None, None),
    "start": (None, None),
    "signaal": (STARTERS, WRONG_ROLE),
    "signalen": (None, None),
    "lijst": (None, None),
    "zaak": (None, None),
    "mijn": (None, None),
    "agenda": (None, None),  # my own deadlines, for cases the policy lets me act on
    "route": (None, None),  # the school's route map: no case data
    "meldingen": (None, None),  # my own notification settings
    "overzicht": (frozenset({"directie", "ib", "zorgcoordinator", "swv"}), "report.not_allowed"),
    "vot": (None, None),  # meeting dates and answer counts; planning (`/vot plan`) refuses non-planners
}


def test_every_command_has_a_spec_row() -> None:
    assert set(COMMAND_SPEC) == {spec.name for spec in COMMANDS}


async def test_every_command_for_every_role_is_answered_or_refused_clearly(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        here, elsewhere = await h.add_school("Hier"), await h.add_school("Elders")
        users = {role: 100 + i for i, role in enumerate(sorted(ROLES))}
        for role, user in users.items():
            await h.register(user, role, school_id=here)
        await h.register(999, "admin", school_id=elsewhere)
        cases = await _seed_cases(h, here, users)
        assert h.runtime is not None
        i18n = h.runtime.i18n
        not_understood = i18n.gettext("fallback.not_understood", locale="nl")
        wrong = []
        for role, user in users.items():
            for spec in COMMANDS:
                answered_for, refusal = COMMAND_SPEC[spec.name]
                refused = answered_for is not None and role not in answered_for
                before = await h.row_counts() if refused else {}
                await h.send(user, f"/{spec.name}")
                replies = h.received(user)
                if not replies or not all(r.strip() for r in replies) or not_understood in replies:
                    wrong.append(f"/{spec.name} as {role}: no clear answer {replies}")
                elif any(r.startswith(("access.", "list.", "input.", "engine.")) for r in replies):
                    wrong.append(f"/{spec.name} as {role}: a raw message id {replies}")
                elif refused:
                    if replies != [i18n.gettext(refusal or "", locale="nl")]:
                        wrong.append(f"/{spec.name} as {role}: not refused: {replies}")
                    elif await h.row_counts() != before:
                        wrong.append(f"/{spec.name} as {role}: refused but rows changed")
                if spec.name in ("signalen", "lijst", "mijn"):
                    shown = (
                        {b.split(" ")[0] for b in h.buttons(user) if b.startswith("M-")} if replies else set()
                    )
                    may = {ref for (step, a), ref in cases.items() if _may_view(step, a, role)}
                    if not shown <= may:
                        wrong.append(f"/{spec.name} as {role}: shows {sorted(shown - may)}")
                if spec.name == "signaal":
                    await h.send(user, "/annuleer")
                    h.received(user)
            for (step_id, assigned), ref in cases.items():
                if assigned is not None and role not in (assigned, "ib"):
                    continue  # an assigned case differs from its twin only for the assignee
                await h.send(user, f"/zaak {ref}")
                [reply] = h.received(user)
                visible = _may_view(step_id, assigned, role)
                if visible != reply.startswith(f"<b>{ref} · AB 5</b>"):
                    wrong.append(f"/zaak {ref} as {role}: {reply[:60]!r}, may view: {visible}")
        assert not wrong, "\n".join(wrong)


def _may_view(step_id: str, assigned: str | None, role: str) -> bool:
    step = VLAARDINGEN.step(step_id)
    return spec_view(VLAARDINGEN, step, role, True, assigned == role) == ALLOW


# -- every CLI command ---------------------------------------------------------------------------------
ADMIN = "an administrator with a shell on the server (and the database and data key)"
# The CLI is for the server's administrators only: it has no members and no roles. Each row says who may
# run it, and whether it is written to the audit trail (everything that reads or changes case data is).
CLI_SPEC: dict[str, tuple[str, bool]] = {
    "db upgrade": (ADMIN, False),
    "school add": (ADMIN, False),
    "invite create": (ADMIN, False),
    "member list": (ADMIN, False),
    "member remove": (ADMIN, True),
    "run": (ADMIN, False),
    "emulator": (ADMIN, False),
    "demo": (ADMIN, False),  # its own database under data/demo/: demo people only
    "audit": (ADMIN, True),
    "keys generate": (ADMIN, False),
    "keys rotate": (ADMIN, False),
    "retention run": (ADMIN, True),
    "pupil export": (ADMIN, True),
    "pupil erase": (ADMIN, True),
    "meldcode report": (ADMIN, True),  # the Meldcode record of one case: an admin's read, audited
    "school set-route": (ADMIN, False),
    "school set-naming": (ADMIN, False),
    "routes list": (ADMIN, False),
    "routes check": (ADMIN, False),
    "routes draw": (ADMIN, False),
    "simulate": (ADMIN, False),  # a throwaway database: no real case data
    "outbox list": (ADMIN, False),  # rows hold references and labels, never free text
    "outbox retry": (ADMIN, False),
    "report": (ADMIN, True),  # aggregates only, but who looked at which school or region is audited
}


def _cli_commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _cli_commands(sub, f"{prefix} {name}".strip())
    return found or {prefix}


def test_every_cli_command_has_a_spec_row() -> None:
    assert _cli_commands(build_parser()) == set(CLI_SPEC)
