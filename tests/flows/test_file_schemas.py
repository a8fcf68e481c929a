"""The published schemas (docs/*.schema.json): generated from the models, named by every shipped file,
and saying what the loader says — a file the loader refuses, an editor flags at the same place."""

from __future__ import annotations

import copy
import functools
import json
import random
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest

from flows.calendar import CalendarFileError, load_calendar
from flows.file_schema import FileModel
from flows.loader import RouteError, build_route, builtin_route_files, parse_route
from flows.route import EFFECT_KINDS, FIELD_KINDS
from flows.route_schema import EffectSpec, FieldSpec
from flows.schemas import DOCS, SCHEMAS, SHIPPED, schema_line, schema_text
from flows.yaml_text import load_yaml

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def shipped(folder: str) -> list[Path]:
    return sorted((FLOWS / folder).glob("*.yaml"))


@cache
def validator(schema_file: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DOCS / schema_file).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def as_json(data: Any) -> Any:
    """What an editor's YAML server sees: an unquoted 2026-10-17 is a string there, a date for PyYAML."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, date) else v))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_committed_schema_is_what_the_models_generate(name: str, update_golden: bool) -> None:
    path, generated = DOCS / name, schema_text(name)
    if update_golden:
        path.write_text(generated, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == generated, f"{name} is stale: run `python -m flows.schemas`"


@pytest.mark.parametrize(("folder", "schema_file"), sorted(SHIPPED.items()))
def test_every_shipped_file_names_its_schema_and_validates_against_it(folder: str, schema_file: str) -> None:
    check = validator(schema_file)
    files = shipped(folder)
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == schema_line(schema_file), path.name
        assert (path.parent / schema_line(schema_file).split("$schema=")[1]).resolve() == DOCS / schema_file
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in check.iter_errors(as_json(load_yaml(text)))
        ]
        assert not errors, f"{path.name}: {errors[:3]}"


GOOD = builtin_route_files()["vlaardingen.yaml"]
BROKEN = [
    pytest.param(
        (
            "    title: vlaardingen.step.ib_beoordeling\n",
            "    title: vlaardingen.step.ib_beoordeling\n    colour: x\n",
        ),
        "steps.ib_beoordeling",
        "unknown key 'colour'; allowed: acted_by, actors, assign, confirm, fields, follow_ups, group, "
        "on_enter, terminal, title, transitions, visible",
        id="unknown key",
    ),
    pytest.param(
        (
            "kind: choice\n        prompt: vlaardingen.ask.decision",
            "kind: radio\n        prompt: vlaardingen.ask.decision",
        ),
        "steps.ib_beoordeling.fields[0].kind",
        "input should be 'choice', 'multi', 'text', 'date', 'pupil' or 'member', got 'radio'",
        id="wrong kind",
    ),
    pytest.param(
        ("ib_beoordeling:\n    actors", "IB-beoordeling:\n    actors"),
        "steps.IB-beoordeling",
        "'IB-beoordeling' is not a step or field id (lowercase letters, digits, _; max 20, to fit Telegram's "
        "buttons)",
        id="bad step id",
    ),
    pytest.param(
        ("{id: notes, kind: text", "{id: notes_about_the_pupil_today, kind: text"),
        "steps.signaal.fields[3].id",
        "'notes_about_the_pupil_today' is not a step or field id (lowercase letters, digits, _; max 20, "
        "to fit Telegram's buttons)",
        id="long field id",
    ),
    pytest.param(
        ("- set_priority: first", "- set_priority: urgent"),
        "steps.signaal.transitions[0].effects[0].set_priority",
        "input should be 'first' or 'normal', got 'urgent'",
        id="wrong effect value",
    ),
    pytest.param(
        ("- set_priority: first", "- raise_priority: first"),
        "steps.signaal.transitions[0].effects[0]",
        "an effect is a mapping with one key, one of: assign_actor, assign_regiehouder, close, count, "
        "enter_route, flag, notify, record_consent, say, set_priority, status, unflag, "
        "got {'raise_priority': 'first'}",
        id="unknown effect",
    ),
    pytest.param(
        ("actors: [ib]", "actors: [ib, conciërge]"),
        "steps.ib_beoordeling.actors[1]",
        "unknown role 'conciërge'; known roles: aandachtsfunctionaris, admin, directie, "
        "gedragswetenschapper, gs, ib, jgc, jv, leerkracht, leerplicht, mentor, smw, swv, wijkteam, "
        "wijkteamleider, zorgcoordinator",
        id="unknown role",
    ),
    pytest.param(
        (
            "kind: choice\n        prompt: vlaardingen.ask.decision",
            "kind: text\n        prompt: vlaardingen.ask.decision",
        ),
        "steps.ib_beoordeling.fields[0]",
        "a text field has no options",
        id="options on a text field",
    ),
    pytest.param(
        ("    terminal: true\n", "    terminal: false\n"),
        "steps.afgerond",
        "a step needs transitions unless it is terminal",
        id="a dead end",
    ),
    pytest.param(
        ("after: 3 school days", "after: 3 school days, on_date: plan_op_maat.evaluation"),
        "steps.toestemming.follow_ups[0]",
        "a follow-up needs either 'after' (a duration) or 'on_date' (step.field)",
        id="after and on_date",
    ),
    pytest.param(
        ("closed: true}", "closed: true, from: signaal}"),
        "milestones[6]",
        "a milestone is either 'closed: true' or a move 'from' and/or 'to' steps",
        id="closed milestone with a move",
    ),
    pytest.param(
        ("message: vlaardingen.notify.new_signal}", "mesage: vlaardingen.notify.new_signal}"),
        "steps.signaal.transitions[1].effects[0].notify",
        "unknown key 'mesage'; allowed: actions, message, participants, roles, urgent, when_flag (and 1 more "
        "problem)",
        id="misspelt key",
    ),
]


@pytest.mark.parametrize(("edit", "where", "problem"), BROKEN)
def test_a_broken_route_is_refused_by_the_loader_and_by_the_schema(
    edit: tuple[str, str], where: str, problem: str
) -> None:
    old, new = edit
    assert GOOD.count(old) >= 1
    text = GOOD.replace(old, new, 1)
    with pytest.raises(RouteError) as caught:
        parse_route(text, "vlaardingen.yaml")
    assert (caught.value.where, caught.value.problem) == (where, problem)
    assert str(caught.value) == f"vlaardingen.yaml: {where}: {problem}"
    assert list(validator("route.schema.json").iter_errors(as_json(load_yaml(text)))), (
        "the schema let it pass"
    )


def test_the_schema_knows_every_effect_and_field_kind_the_engine_does() -> None:
    effect_models = get_args(get_args(EffectSpec)[0])
    tags = {get_args(member)[1].tag for member in effect_models}
    assert tags == EFFECT_KINDS
    assert set(get_args(FieldSpec.model_fields["kind"].annotation)) == FIELD_KINDS
    assert all(issubclass(get_args(m)[0], FileModel) for m in effect_models)


def test_the_longest_ids_fit_in_telegram_button_data() -> None:
    """Step and field ids of 20, action and follow-up ids of 32 characters (the schema's limits) still
    make button data of at most 64 bytes with a case ref like Z-ABCDEF."""
    from bot.callbacks import ActionCb, FormConfirm, FormDate, FormPupil, OpenCb, SnoozeCb

    ref, step, short, long = "Z-ABCDEF", "s" * 20, "f" * 20, "a" * 32
    packed = [
        FormDate(ref=ref, step=step, field=short, day="20261231").pack(),
        FormConfirm(ref=ref, step=step, field=short).pack(),
        FormPupil(ref=ref, step=step, field=short, pupil=999_999_999).pack(),
        ActionCb(ref=ref, step=step, action=long).pack(),
        SnoozeCb(ref=ref, step=step, follow_up=long).pack(),
        OpenCb(ref=ref, step=step).pack(),
    ]
    assert max(len(p.encode()) for p in packed) <= 64
    # ...and the loader takes ids that long.
    route = parse_route(
        f"""
id: t
version: 1
name: {{nl: T, en: T}}
start: {{command: s, roles: [leerkracht], step: {step}}}
steps:
  {step}:
    actors: [leerkracht]
    title: t.step.a
    fields: [{{id: {short}, kind: date, prompt: t.ask.a, tense: future}}]
    follow_ups: [{{id: {long}, after: 2 days}}]
    terminal: true
actions:
  {long}: {{roles: [ib], label: t.action.a}}
""",
        "t.yaml",
    )
    assert route.steps[step].fields[0].id == short and long in route.actions


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [p for key, child in children for p in [(*path, key), *_places(child, (*path, key))]]


@pytest.mark.parametrize("name", sorted(builtin_route_files()))
def test_any_edit_of_a_shipped_route_loads_or_is_refused_with_a_located_message(name: str) -> None:
    """Wrong types anywhere (a list for a name, a number for a list) used to crash the hand-written checks
    with a TypeError; now every refusal is a RouteError with a place."""
    rng = random.Random(name)
    raw = load_yaml(builtin_route_files()[name])
    places = _places(raw)
    for _ in range(40):
        edited = copy.deepcopy(raw)
        *parent_path, key = rng.choice(places)
        parent = functools.reduce(lambda node, k: node[k], parent_path, edited)
        parent[key] = rng.choice([None, 0, 5000, True, "nergens", "Bad Id", "x.y", [parent[key]], {"a": 1}])
        try:
            build_route(edited, name)
        except RouteError as exc:
            assert exc.where and exc.problem


CALENDAR = """\
region: testland
options: {liberation_day: always}
school_years:
  - year: "2026-2027"
    holidays:
      - {name: herfstvakantie, from: 2026-10-17, to: 2026-10-25}
"""


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("region: testland", "region: testland\ncolour: blue"), "top level: unknown key 'colour'"),
        (
            ("to: 2026-10-25", "to: 25-10-2026"),
            "school year 2026-2027, holiday 'herfstvakantie', to: expected a date like 2026-10-17",
        ),
        (("always", "sometimes"), "options.liberation_day: input should be 'always', 'lustrum' or 'never'"),
        (
            ('"2026-2027"', "2026"),
            'school year 2026, year: school year must be a quoted string like "2026-2027"',
        ),
    ],
)
def test_a_broken_calendar_is_refused_by_the_loader_and_by_the_schema(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    (tmp_path / "testland.yaml").write_text(CALENDAR, encoding="utf-8")
    assert load_calendar("testland", directory=tmp_path).region == "testland"
    text = CALENDAR.replace(*edit)
    (tmp_path / "testland.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CalendarFileError, match=re.escape(f"testland.yaml: {message}")):
        load_calendar("testland", directory=tmp_path)
    assert list(validator("calendar.schema.json").iter_errors(as_json(load_yaml(text)))), (
        "the schema let it pass"
    )
