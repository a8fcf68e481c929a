"""Every text the new routes show exists in Dutch and English, and every id fits a Telegram button."""

from __future__ import annotations

import re
from functools import cache

import pytest
from catalog_texts import catalog_texts

from flows.loader import route_msgids
from flows.registry import builtin_registry
from flows.route import Route

NEW_ROUTES = ("rotterdam_po", "rotterdam_vo", "mvs_po", "smwplus")


@cache
def route(route_id: str) -> Route:
    return builtin_registry().latest(route_id)


@pytest.mark.parametrize("route_id", NEW_ROUTES)
def test_every_msgid_has_dutch_and_english(route_id: str) -> None:
    texts = catalog_texts()
    missing = sorted(m for m in route_msgids(route(route_id)) if m not in texts)
    assert not missing
    for msgid in route_msgids(route(route_id)):
        assert set(texts[msgid]) == {"nl", "en"} and all(v.strip() for v in texts[msgid].values()), msgid


def test_texts_have_no_placeholders_the_engine_does_not_fill() -> None:
    # Notify and prompt texts get no parameters; a stray {name} would crash str.format at the edge.
    used = set().union(*(route_msgids(route(r)) for r in NEW_ROUTES))
    for msgid in used:
        for text in catalog_texts()[msgid].values():
            assert not re.search(r"\{[a-z_]*\}", text), (msgid, text)


@pytest.mark.parametrize("route_id", NEW_ROUTES)
def test_msgids_follow_the_route_prefix(route_id: str) -> None:
    # Rotterdam's twins share `rotterdam.*` for what PO and VO say alike.
    prefixes = {
        "rotterdam_po": ("rotterdam.", "rotterdam_po."),
        "rotterdam_vo": ("rotterdam.", "rotterdam_vo."),
    }
    # Milestone labels are shared, so a region report compares like with like across routes; so are the
    # signaller's status updates, which say the same thing on every route.
    allowed = (*prefixes.get(route_id, (f"{route_id}.",)), "common.", "report.milestone.", "status.")
    assert all(m.startswith(allowed) for m in route_msgids(route(route_id)))


@pytest.mark.parametrize("route_id", NEW_ROUTES)
def test_ids_fit_telegram_button_data(route_id: str) -> None:
    r = route(route_id)
    for step in r.steps.values():
        assert len(step.id) <= 20, step.id
        for field in step.fields:
            assert len(field.id) <= 16, (step.id, field.id)
            for option in field.options:
                # A prefix, the case ref, step, field and value must fit Telegram's 64 bytes.
                assert len(f"c:Z-ABCDEF:{step.id}:{field.id}:{option.value}".encode()) <= 64
