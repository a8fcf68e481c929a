"""Every step form of every shipped route works in the Mini App (SQLite and PostgreSQL): the route's
start step through /app/signal, then the case is put on each of the route's other steps in turn, with
a member holding the step's role, and the step's one-screen form is filled in and submitted — through a
summary to confirm, or at once for a step without one (confirm: false)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.settings import Settings
from flows.case import Case, Consent
from flows.clock import FrozenClock
from flows.route import Field, Route
from tests.databases import SQLITE_ONLY
from tests.harness import BotHarness
from tests.webapp_helpers import init_data, open_session, webapp_client

ROUTES = ["vlaardingen", "rotterdam_po", "rotterdam_vo", "mvs_po", "smwplus", "meldcode"]
KIND = {"rotterdam_vo": "vo"}
PUPIL = "ab 5B"


def _roles(route: Route) -> list[str]:
    """Every role the route's steps, start and member fields name, in a stable order."""
    named = list(route.start.roles) if route.start else []
    for step in route.steps.values():
        named += list(step.actors)
        named += [r for f in step.fields if f.kind == "member" for r in f.roles]
    return list(dict.fromkeys(named))


def _answers(fields: tuple[Field, ...], candidates: dict[str, str], today: str) -> dict[str, Any]:
    """An answer for every field, whether or not its condition will hold: the engine asks only those."""
    out: dict[str, Any] = {}
    for field in fields:
        if field.kind in ("choice", "multi"):
            out[field.id] = field.options[0].value
        elif field.kind == "text":
            out[field.id] = "Afspraak gemaakt voor volgende week"
        elif field.kind == "date":
            out[field.id] = today
        elif field.kind == "pupil":
            out[field.id] = PUPIL
        elif field.kind == "member" and field.id in candidates:
            out[field.id] = candidates[field.id]
    return out


async def _on_step(h: BotHarness, ref: str, route: Route, step_id: str, member_id: int, role: str) -> None:
    """Put the case on `step_id` with `member_id` assigned to act on it, and the parents' consent given."""
    assert h.runtime is not None
    async with h.uow() as uow:
        case = await uow.cases.get(ref)
        assert case is not None
        definition = h.runtime.route_engine.routes.definition(route.id, route.version)
        if definition is not None:
            await uow.cases.remember_route(route.id, route.version, definition, h.clock.now())
        consent = Consent("given", "telefoon", h.clock.now().date().isoformat(), member_id, h.clock.now())
        moved: Case = case.with_(
            route_id=route.id,
            route_version=route.version,
            step=step_id,
            status="open",
            drafts={},
            assigned={**case.assigned, role: member_id},
            consent=consent,
        )
        await uow.cases.save(moved, h.clock.now(), (), stored=case)
        await uow.commit()


async def _fill(client: TestClient, ref: str, step_id: str, answers: dict[str, Any]) -> None:
    form = await client.get("/app/step", params={"ref": ref, "step": step_id})
    assert form.status == 200, (step_id, await form.text())
    posted = await client.post(
        "/app/step", data={"ref": ref, "step": step_id, **answers}, allow_redirects=False
    )
    if posted.status == 200:  # the summary: confirm it
        posted = await client.post("/app/confirm", data={"ref": ref, "step": step_id}, allow_redirects=False)
    assert posted.status == 303, (step_id, posted.status, await posted.text())


@SQLITE_ONLY
@pytest.mark.parametrize("route_id", ROUTES)
async def test_every_step_form_of_the_route_submits(
    route_id: str, settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h, webapp_client(h) as client:
        assert h.runtime is not None
        routes = h.runtime.route_engine.routes
        route = routes.latest(route_id)
        home = routes.latest("vlaardingen") if route_id == "meldcode" else route
        async with h.uow() as uow:
            school = await uow.schools.add(
                name="De Esch", kind=KIND.get(route_id, "po"), route_id=home.id, now=clock.now()
            )
            await uow.commit()
        people: dict[str, int] = {}
        for i, role in enumerate(dict.fromkeys(_roles(home) + _roles(route))):
            people[role] = 7001 + i
            await h.register(people[role], role, school_id=school.id, name=f"{role} {i}")
        async with h.uow() as uow:
            ids = {role: m.id for role in people if (m := await uow.members.by_telegram_id(people[role]))}
        today = clock.now().date().isoformat()

        # The start step: the signal form, before there is a case.
        starter = next(r for r in home.start.roles if r in people) if home.start else ""
        assert await open_session(client, init_data(people[starter], clock.now())) == 200
        start = home.step(home.start.step) if home.start else None
        assert start is not None
        signal = _answers(start.fields, {}, today)
        posted = await client.post("/app/signal", data={"school": str(school.id), **signal})
        assert posted.status == 200, await posted.text()
        confirmed = await client.post(
            "/app/confirm", data={"ref": "Z-0001", "step": start.id}, allow_redirects=False
        )
        assert confirmed.status == 303

        walked = [start.id] if route is home else []
        for step_id, step in route.steps.items():
            if step.terminal or step_id in walked:
                continue
            role = step.actors[0]
            await _on_step(h, "Z-0001", route, step_id, ids[role], role)
            assert await open_session(client, init_data(people[role], clock.now())) == 200
            candidates = {
                f.id: str(ids[f.roles[0]]) for f in step.fields if f.kind == "member" and f.roles[0] in ids
            }
            await _fill(client, "Z-0001", step_id, _answers(step.fields, candidates, today))
            async with h.uow() as uow:
                case = await uow.cases.get("Z-0001")
            assert case is not None, step_id
            assert any(e.step == step_id and e.action == "submitted" for e in case.timeline), step_id
            walked.append(step_id)
        assert len(walked) == sum(not s.terminal for s in route.steps.values())
