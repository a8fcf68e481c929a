"""One name per role everywhere: the catalogs' `role.<id>` names it, and no text the user reads calls it
something else ("IB-er", "GS", "SMW-er", "SWV-er", "gezinspecialist"); the demo's people and the case
view's actors say a role once ("Meester Finn (leerkracht)", never "… (leerkracht) (leerkracht)")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import Translator, make_i18n
from bot.msgids import ROLE_NAMES, role_msgid
from bot.render.case_view import CaseContext, _who
from emulator.demo import _FIRST_NAMES, demo_display_name

ROOT = Path(__file__).resolve().parents[1]

# Other names people use for a role, which the catalogs must not (each with the role it stands for).
VARIANTS: dict[str, list[tuple[str, str]]] = {
    "nl": [
        (r"\bIB[-']er", "ib"),
        (r"\bGS\b", "gs"),
        (r"gezinspecialist", "gs"),
        (r"\bSMW[-']er", "smw"),
        (r"\bSWV[-']er", "swv"),
        (r"\bonderwijsspecialist\b(?! \(SWV\)| SWV)", "swv"),
        (r"\bzorgcoordinator\b", "zorgcoordinator"),
    ],
    "en": [
        (r"\bIB[-']er", "ib"),
        (r"\bthe IB\b|^IB\b", "ib"),
        (r"\bGS\b", "gs"),
        (r"\bSMW[-']er", "smw"),
        (r"\bSWV[-']er", "swv"),
        (r"\beducation specialist\b(?! \(SWV\))", "swv"),
    ],
}


def _catalog(language: str) -> dict[str, str]:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if isinstance(m.id, str) and m.id}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_role_has_one_name_of_its_own(language: str) -> None:
    texts = _catalog(language)
    names = {role: texts[msgid] for role, msgid in ROLE_NAMES.items()}
    assert all(names.values()), names
    assert len(set(names.values())) == len(names), "two roles share a name"


def test_the_names_the_issue_asks_for() -> None:
    nl, en = _catalog("nl"), _catalog("en")
    assert [nl[role_msgid(r)] for r in ("ib", "gs", "smw", "swv")] == [
        "intern begeleider",
        "gezinsspecialist",
        "schoolmaatschappelijk werker",
        "onderwijsspecialist (SWV)",
    ]
    assert [en[role_msgid(r)] for r in ("ib", "gs")] == [
        "internal care coordinator (IB)",
        "family specialist",
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_text_calls_a_role_by_another_name(language: str) -> None:
    found = [
        (msgid, role, text)
        for msgid, text in _catalog(language).items()
        for pattern, role in VARIANTS[language]
        if re.search(pattern, text, re.I if role == "swv" else 0)
    ]
    assert not found, "\n".join(f"{m}: calls {r} {t!r}" for m, r, t in found)


def test_the_variants_are_caught() -> None:
    """The patterns above find what the catalogs said before (so the test above can fail)."""
    said = {
        "nl": [
            "Beoordeling door de IB-er",
            "De GS heeft teruggekoppeld",
            "De SMW-er",
            "Op de VOT-lijst (SWV-er)",
        ],
        "en": ["Assessment by the IB-er", "The IB calls in SMWplus", "via the GS", "Education specialist"],
    }
    for language, texts in said.items():
        for text in texts:
            assert any(re.search(p, text, re.I) for p, _ in VARIANTS[language]), text


@pytest.mark.parametrize("school_index", range(6))
def test_demo_people_and_case_actors_say_their_role_once(school_index: int) -> None:
    t = Translator(make_i18n("nl"), "nl")
    for member, role in enumerate(_FIRST_NAMES, start=1):
        if role not in ROLE_NAMES:
            continue
        name = demo_display_name(role, school_index, t)
        label = t.raw(role_msgid(role))
        bare = label.replace(" (", " ").replace(")", "")
        assert name.endswith(f"({bare})"), name  # the demo's name says the catalog's role
        shown = _who(t, role, member, CaseContext(names={member: name}))
        assert shown.replace(label, bare).count(bare) == 1, shown


def test_a_plain_name_gets_its_role_once_without_brackets_in_brackets() -> None:
    t = Translator(make_i18n("nl"), "nl")
    context = CaseContext(names={1: "Judith", 2: "directie", 3: "Jan Jansen"})
    assert _who(t, "swv", 1, context) == "Judith (onderwijsspecialist SWV)"
    assert _who(t, "directie", 2, context) == "directie"
    assert _who(t, "ib", 3, context) == "Jan Jansen (intern begeleider)"
