"""Message ids that reach the catalogs only as data — emitted by flows/ (which cannot import the gettext
markers) or passed to the translator in a variable. Listed here so that `make messages` keeps them: a
msgid the extractor cannot see is dropped from the catalogs and shown raw, which is no clear answer."""

from __future__ import annotations

from bot.i18n import N_

ENGINE_MESSAGES = (
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
LIST_MESSAGES = (
    N_("list.mine"),
    N_("list.mine_empty"),
    N_("list.signals"),
    N_("list.signals_empty"),
    N_("list.vot"),
    N_("list.vot_empty"),
    N_("notify.open_hint"),
    N_("offboard.notice"),
)
