"""`zorgroute meldcode report REF`: the Meldcode record of a stored case, on SQLite and PostgreSQL, read
by the command line as an admin runs it, and audited."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bot.settings import Settings
from flows.case import Case
from flows.clock import FrozenClock
from tests.cli import zorgroute
from tests.flows.test_meldcode_record import GOLDEN, _replay
from tests.harness import BotHarness

# Scenario member -> (display name, role) of the member stored for them.
PEOPLE = {
    1: ("Jet", "leerkracht"),
    2: ("Anna de Vries", "aandachtsfunctionaris"),
    3: ("Ineke", "ib"),
    4: ("Dirk", "directie"),
    5: ("Aafke", "aandachtsfunctionaris"),
}


async def _store(h: BotHarness, case: Case, ref: str | None = None) -> str:
    """The case (as `ref`, when given) at a new school, its actors as members with names; returns its
    reference."""
    case = replace(case, ref=ref or case.ref)
    school = await h.add_school()
    async with h.uow() as uow:
        ids: dict[int, int] = {}
        acted = {e.member_id: e.role for e in case.timeline if e.member_id is not None}
        for scenario_id in sorted(acted):
            name, role = PEOPLE.get(scenario_id, (f"Lid {scenario_id}", acted[scenario_id] or "ib"))
            member = await uow.members.add(
                telegram_user_id=None, display_name=name, language="nl", now=h.clock.now()
            )
            await uow.session.flush()
            await uow.members.add_roles(member, school, [role])
            ids[scenario_id] = member.id
        timeline = tuple(
            replace(e, member_id=ids[e.member_id]) if e.member_id is not None else e for e in case.timeline
        )
        mine = replace(
            case, school_id=school, created_by=ids[case.created_by], participants=(), assigned={}, timeline=()
        )
        await uow.cases.save(mine, case.created_at, timeline)
        await uow.commit()
    return case.ref


async def test_report_shows_the_five_steps_with_dates_and_who_decided(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    case = _replay(GOLDEN / "meldcode" / "talk_skipped_for_danger.yaml")
    async with BotHarness(settings, clock=clock) as h:
        ref = await _store(h, case)

    shown = await zorgroute(
        "meldcode", "report", ref.lower(), database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert f"Meldcode — {ref}" in text and "AB 5" in text
    assert (
        "Stap 1: signalen in kaart: gezet op 23 november 2026 door Anna de Vries (aandachtsfunctionaris)"
        in text
    )
    assert "Stap 3: gesprek met ouders en kind: overgeslagen vanwege gevaar" in text
    assert "Dirk (directie)" in text  # the decision, by the second line
    assert "Afgesloten: gemeld bij Veilig Thuis" in text

    english = await zorgroute(
        "meldcode", "report", ref, "--lang", "en", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert english.returncode == 0, english.stderr
    assert "skipped for danger" in english.stdout and "Dirk (school management)" in english.stdout

    as_json = await zorgroute(
        "meldcode", "report", ref, "--json", database_url=database_url, cwd=tmp_path, clock=clock
    )
    data = json.loads(as_json.stdout)
    assert [s["state"] for s in data["steps"]] == ["taken", "taken", "skipped", "taken", "taken"]
    assert data["steps"][2]["reason"] == "danger"
    assert data["steps"][4]["by"][0] == {
        "member": data["steps"][4]["by"][0]["member"],
        "role": "directie",
        "name": "Dirk",
    }

    async with BotHarness(settings, clock=clock) as h, h.uow() as uow:
        audited = [e for e in await uow.audit.for_case([ref]) if e.action == "meldcode_report"]
    assert len(audited) == 3 and all(e.member_id is None and e.channel == "cli" for e in audited)
    assert all(e.at == clock.now() for e in audited)


async def test_report_of_a_handed_over_case_holds_nothing_of_the_calling_route(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    case = _replay(GOLDEN / "vlaardingen" / "meldcode_and_back.yaml")
    async with BotHarness(settings, clock=clock) as h:
        ref = await _store(h, case)
    shown = await zorgroute(
        "meldcode", "report", ref, "--json", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert (data["entered_from"], data["outcome"]) == ("vlaardingen", "mc_gemeld")
    assert not any(line["step"].startswith(("gs_", "ib_", "signaal")) for line in data["timeline"][1:])
    assert "text" not in shown.stdout  # nothing typed, not even its mark


async def test_unknown_ref_and_a_case_without_the_meldcode_are_clear_errors(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        ref = await _store(h, _replay(GOLDEN / "vlaardingen" / "happy_path.yaml"))
    missing = await zorgroute(
        "meldcode", "report", "Z-9999", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert missing.returncode == 1 and "no case 'Z-9999'" in missing.stderr
    other = await zorgroute("meldcode", "report", ref, database_url=database_url, cwd=tmp_path, clock=clock)
    assert other.returncode == 1 and f"case {ref} did not go through the Meldcode" in other.stderr
    async with BotHarness(settings, clock=clock) as h, h.uow() as uow:
        assert not [e for e in await uow.audit.for_case([ref]) if e.action == "meldcode_report"]


async def test_pupil_export_holds_the_meldcode_record_of_a_case_that_went_through_it(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        ref = await _store(h, _replay(GOLDEN / "vlaardingen" / "meldcode_and_back.yaml"))
        plain = await _store(h, _replay(GOLDEN / "vlaardingen" / "happy_path.yaml"), ref="Z-0002")
    exported = await zorgroute("pupil", "export", ref, database_url=database_url, cwd=tmp_path, clock=clock)
    assert exported.returncode == 0, exported.stderr
    (case,) = [c for c in json.loads(exported.stdout)["cases"] if c["ref"] == ref]
    reported = await zorgroute(
        "meldcode", "report", ref, "--json", database_url=database_url, cwd=tmp_path, clock=clock
    )
    assert case["meldcode"] == json.loads(reported.stdout)  # the same record
    assert [s["state"] for s in case["meldcode"]["steps"]] == ["taken", "taken", "skipped", "taken", "taken"]
    other = await zorgroute("pupil", "export", plain, database_url=database_url, cwd=tmp_path, clock=clock)
    assert all("meldcode" not in c for c in json.loads(other.stdout)["cases"])
