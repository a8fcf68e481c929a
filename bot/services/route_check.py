"""Checking route files before they ship: each loads and validates (flows/loader.py), and every text it
refers to exists, translated, in every catalog — a missing one would show a raw key to a teacher."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES
from flows.loader import RouteError, parse_route
from flows.route import Effect, Route
from locales import DOMAIN, LOCALES_DIR


@cache
def catalog(language: str) -> frozenset[str]:
    """The msgids `language`'s catalog translates (non-empty, not fuzzy)."""
    with (LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return frozenset(str(m.id) for m in read_po(handle) if m.id and m.string and not m.fuzzy)


def msgid_places(route: Route) -> Iterator[tuple[str, str]]:
    """(where, msgid) for every text the route uses; `where` reads like the loader's error locations."""
    for step in route.steps.values():
        here = f"steps.{step.id}"
        yield f"{here}.title", step.title
        for field in step.fields:
            yield f"{here}.fields.{field.id}.prompt", field.prompt
            if field.label:
                yield f"{here}.fields.{field.id}.label", field.label
            for option in field.options:
                yield f"{here}.fields.{field.id}.options.{option.value}", option.label
        yield from _effects(f"{here}.on_enter", step.on_enter)
        for i, transition in enumerate(step.transitions):
            yield from _effects(f"{here}.transitions[{i}]", transition.effects)
        for follow_up in step.follow_ups:
            yield from _effects(f"{here}.follow_ups.{follow_up.id}", follow_up.effects)
    for action in route.actions.values():
        yield f"actions.{action.id}.label", action.label
        yield from _effects(f"actions.{action.id}", action.effects)


def _effects(where: str, effects: Iterable[Effect]) -> Iterator[tuple[str, str]]:
    for effect in effects:
        if effect.kind == "notify":
            yield f"{where}.notify", effect.args["message"]
        elif effect.kind in ("say", "status"):
            yield f"{where}.{effect.kind}", effect.args


def check_route_text(text: str, source: str) -> Route:
    """The route in `text`, or a RouteError naming the file, the place and the problem."""
    route = parse_route(text, source)
    for where, msgid in msgid_places(route):
        for language in LANGUAGES:
            if msgid not in catalog(language):
                problem = f"message id {msgid!r} has no {language} text in the catalogs"
                raise RouteError(source, where, problem)
    return route


def check_route_file(path: Path) -> Route:
    return check_route_text(path.read_text(encoding="utf-8"), str(path))
