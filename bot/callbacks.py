"""Typed button data. A button carries an action and ids only; every press is checked again against the
access policy and the case's current step (a stale or forged press changes nothing).

aiogram refuses to pack more than 64 bytes, and the route loader keeps step and field ids short
enough for that (see flows/loader.py).
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class FormCb(CallbackData, prefix="f"):
    """An answer to a form field. op: c=choose option #v, t=toggle option #v, d=done/skip,
    v=set value v (a date yyyymmdd), p=pick pupil #v, m=pick member #v, n=toggle member #v, ok=confirm,
    x=discard."""

    ref: str
    step: str
    field: str
    op: str
    v: str = ""


class OpenCb(CallbackData, prefix="o"):
    """Start working on the case's current step."""

    ref: str
    step: str


class ActionCb(CallbackData, prefix="a"):
    """A case action (e.g. 'family does not respond'), shown on `step`."""

    ref: str
    step: str
    action: str


class CaseCb(CallbackData, prefix="z"):
    """Show a case (summary and timeline)."""

    ref: str


class SchoolCb(CallbackData, prefix="s"):
    """Pick the school to start a signal at (members with the role at several schools)."""

    school: int


class SnoozeCb(CallbackData, prefix="u"):
    """Put off a reminder: `follow_up` of `step` is due again two school days from now."""

    ref: str
    step: str
    follow_up: str


class RoutekaartCb(CallbackData, prefix="r"):
    """Send the routekaart of this school's route (members at several schools pick one)."""

    school: int


class VotCb(CallbackData, prefix="v"):
    """VOT meetings. op: rsvp (v=yes/no/maybe) on meeting m; school (m=school id) while planning;
    dur (v=minutes), all, pick (v=#case), done, send, drop while planning; move, cancel on meeting m."""

    op: str
    m: int = 0
    v: str = ""


class PrefCb(CallbackData, prefix="mp"):
    """/meldingen. op: ch (toggle channel v), email, phone (ask for the address), quiet (next preset),
    done."""

    op: str
    v: str = ""
