"""Message ids the engine, the policy and the value parsers emit as data (events, refusals, problems).

They never pass through a gettext call, so Babel would not find them and `make messages`
(`--ignore-obsolete`) would drop their translations; marking them here keeps them in the catalogs.
"""

from __future__ import annotations


def N_(msgid: str) -> str:
    return msgid


EMITTED = (
    N_("access.closed"),
    N_("access.no_consent"),
    N_("access.stale"),
    N_("engine.action_done"),
    N_("engine.cancelled"),
    N_("engine.nothing_to_cancel"),
    N_("engine.submitted"),
    N_("input.date_invalid"),
    N_("input.date_out_of_range"),
    N_("input.pick_at_least_one"),
    N_("input.pupil_invalid"),
    N_("input.required"),
    N_("input.too_long"),
    N_("input.use_buttons"),
)
