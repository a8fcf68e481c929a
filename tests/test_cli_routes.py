"""`zorgroute routes list|check|draw` and a school's route: in-process for the commands without a database,
as the installed console script (tests/test_cli.py) for the ones with one."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from flows.clock import FrozenClock
from flows.loader import builtin_route_files
from flows.registry import builtin_registry
from tests.cli import zorgroute
from tests.flows.catalog_texts import labels
from tests.harness import BotHarness
from tests.routekaart_svg import read_d2

ROUTES = builtin_registry().ids()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_routes_list_names_every_shipped_route(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "list", "--json"]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (
        sorted(listed)
        == ROUTES
        == ["meldcode", "mvs_po", "rotterdam_po", "rotterdam_vo", "smwplus", "vlaardingen"]
    )
    assert listed["rotterdam_vo"] == {
        "id": "rotterdam_vo",
        "version": 1,
        "name": {
            "nl": "Rotterdam: toeleiding school → wijkteam (VO)",
            "en": "Rotterdam: school to neighbourhood team (secondary)",
        },
        "region": "rotterdam",
        "school_kinds": ["vo"],
        "steps": 15,
    }
    assert main(["routes", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(ROUTES)


def test_routes_check_passes_the_shipped_routes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "check"]) == 0
    assert capsys.readouterr().out.startswith(f"{len(ROUTES)} route(s) OK")


def test_routes_check_names_file_step_and_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = builtin_route_files()["smwplus.yaml"]
    untranslated = tmp_path / "untranslated.yaml"
    untranslated.write_text(good.replace("smwplus.step.volgen", "smwplus.step.nieuw"), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(good.replace("to: gc_afsluiting", "to: nergens"), encoding="utf-8")

    assert main(["routes", "check", str(untranslated)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{untranslated}: steps.volgen.title: message id 'smwplus.step.nieuw' has no nl text" in err

    assert main(["routes", "check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "steps.gc_regie.transitions[0].to: unknown step 'nergens'" in err


@pytest.mark.parametrize("route_id", ROUTES)
def test_routes_draw_every_route_in_every_format(route_id: str, tmp_path: Path) -> None:
    route = builtin_registry().latest(route_id)
    say = labels("en")
    for fmt in ("svg", "mermaid", "png", "pdf"):
        out = tmp_path / f"{route_id}.{fmt}"
        assert main(["routes", "draw", route_id, "--format", fmt, "-o", str(out), "--lang", "en"]) == 0
        data = out.read_bytes()
        if fmt == "png":
            assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"
            width, height = struct.unpack(">II", data[16:24])
            assert 600 <= width <= 6000 and 400 <= height <= 6000
            continue
        if fmt == "pdf":
            assert data.startswith(b"%PDF-") and b"/MediaBox" in data
            continue
        text = data.decode("utf-8")
        if fmt == "svg":
            texts = read_d2(text).texts  # well-formed, and D2's objects
            assert {t.owner.rsplit(".", 1)[-1] for t in texts} >= {f"s_{s}" for s in route.steps}
            text = " ".join(t.content for t in texts)
        else:
            assert text.startswith("flowchart TD\n")
            assert all(step.id in text for step in route.steps.values())
        for step in route.steps.values():
            assert say(step.title).split()[0] in text


def test_routes_draw_with_a_schools_role_names(tmp_path: Path) -> None:
    out = tmp_path / "capelle.svg"
    assert (
        main(["routes", "draw", "rotterdam_po", "--format", "svg", "-o", str(out), "--naming", "capelle"])
        == 0
    )
    svg = out.read_text(encoding="utf-8")
    # The lane of the steps the wijkteamleider acts in.
    assert any(t.content == "contactpersoon CJG" for t in read_d2(svg).texts)
    assert main(["routes", "draw", "rotterdam_po", "--format", "svg", "-o", str(out)]) == 0
    assert "contactpersoon CJG" not in out.read_text(encoding="utf-8")


def test_routes_draw_refuses_an_unknown_route(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "draw", "utrecht", "--format", "svg", "-o", str(tmp_path / "x.svg")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("zorgroute: error: unknown route 'utrecht'") and err.count("\n") == 1
    assert not (tmp_path / "x.svg").exists()


async def test_school_add_refuses_an_unknown_or_unfitting_route(tmp_path: Path, clock: FrozenClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    unknown = await zorgroute(
        "school",
        "add",
        "A",
        "--kind",
        "po",
        "--route",
        "utrecht",
        database_url=url,
        cwd=tmp_path,
        clock=clock,
    )
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1
    assert "unknown route 'utrecht'" in unknown.stderr
    wrong_kind = await zorgroute(
        "school",
        "add",
        "A",
        "--kind",
        "po",
        "--route",
        "rotterdam_vo",
        database_url=url,
        cwd=tmp_path,
        clock=clock,
    )
    assert wrong_kind.returncode == 1
    assert (
        wrong_kind.stderr == "zorgroute: error: route 'rotterdam_vo' is for vo schools, not for a po school\n"
    )
    assert not (tmp_path / "x.db").exists()  # refused before anything was written


async def test_set_route_applies_to_new_cases_only(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    added = await zorgroute(
        "school",
        "add",
        "De Esch",
        "--kind",
        "po",
        "--route",
        "vlaardingen",
        database_url=database_url,
        cwd=tmp_path,
        clock=clock,
    )
    assert added.returncode == 0, added.stderr
    school_id = int(added.stdout)
    async with BotHarness(settings, clock=clock) as h:
        await h.register(6001, "leerkracht", school_id=school_id, name="Tom")
        for text in (
            "/signaal",
            "AB 5b",
            "Zorg (thuis)",
            "☐ Gedrag",
            "Klaar",
            "Overslaan",
            "Nee",
            "Bevestigen",
        ):
            await (h.send(6001, text) if text in ("/signaal", "AB 5b") else h.press(6001, text))

        changed = await zorgroute(
            "school",
            "set-route",
            str(school_id),
            "smwplus",
            database_url=database_url,
            cwd=tmp_path,
            clock=clock,
        )
        assert changed.returncode == 0, changed.stderr
        unfit = await zorgroute(
            "school",
            "set-route",
            str(school_id),
            "rotterdam_vo",
            database_url=database_url,
            cwd=tmp_path,
            clock=clock,
        )
        assert unfit.returncode == 1 and "not for a po school" in unfit.stderr

        h.received(6001)
        await h.send(6001, "/signaal")
        assert "Niet-pluisgevoel" in h.last(6001)  # the new case starts on the school's new route
        async with h.uow() as uow:
            running, new = await uow.cases.get("Z-0001"), await uow.cases.get("Z-0002")
        assert running is not None and new is not None
        assert (running.route_id, running.route_version, running.step) == ("vlaardingen", 1, "ib_beoordeling")
        assert (new.route_id, new.step) == ("smwplus", "niet_pluis")


async def test_set_naming_changes_the_role_names_a_school_sees(
    database_url: str, settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    added = await zorgroute(
        "school",
        "add",
        "Capelle",
        "--kind",
        "po",
        "--route",
        "rotterdam_po",
        database_url=database_url,
        cwd=tmp_path,
        clock=clock,
    )
    school_id = int(added.stdout)
    named = await zorgroute(
        "school",
        "set-naming",
        str(school_id),
        "capelle",
        database_url=database_url,
        cwd=tmp_path,
        clock=clock,
    )
    assert named.returncode == 0, named.stderr
    async with BotHarness(settings, clock=clock) as h:
        await h.register(6002, "wijkteamleider", school_id=school_id, name="Wendy")
        await h.send(6002, "/help")
        assert "Je rol: contactpersoon CJG bij Capelle" in h.last(6002)
