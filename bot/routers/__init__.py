"""All feature routers, assembled in one place. Order matters: the first matching handler wins."""

from __future__ import annotations

from aiogram import Router

from bot.routers import (
    cancel,
    case_form,
    cases,
    corrections,
    fallback,
    follow_ups,
    help,
    language,
    overview,
    preferences,
    private_only,
    registration,
    signal,
    vot,
)
from bot.routers.routekaart import build_router as build_routekaart_router


def build_root_router() -> Router:
    root = Router(name="zorgroute")
    root.include_routers(
        # 1. Groups and channels get one fixed answer before anything can reveal case content there.
        private_only.build_router(),
        # 2. /start: the only door for strangers (the StrangerGate middleware lets only `/start <code>` in).
        registration.build_router(),
        # 3. Commands every member has. /annuleer comes before features so it always escapes them.
        cancel.build_router(),
        help.build_router(),
        language.build_router(),
        # 4. Features, one router each.
        signal.build_router(),
        cases.build_router(),
        follow_ups.build_router(),
        build_routekaart_router(),
        preferences.build_router(),
        vot.build_router(),
        overview.build_router(),
        # A correction after confirming takes the member's plain text only in its own state.
        corrections.build_router(),
        # An open form takes the member's plain text as its answer, so it comes after every command.
        case_form.build_router(),
        # 5. Catch-alls last: anything a member sends or presses that no feature handled.
        fallback.build_router(),
    )
    return root
