"""Every dialogue the bot holds, as aiogram StatesGroups (stored by bot/fsm.py). /annuleer leaves any of them.

The state says which question a typed message answers; the data holds ids and choices, never what people
wrote (that goes to the engine's sealed draft or their preferences)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class CaseForm(StatesGroup):
    """A case form is open; data: {"ref"}. Which step it is on is the engine's draft's to say, not ours."""

    open = State()
    # The name guard found names in a typed answer; data also holds "redacted" (the answer with
    # placeholders, never the original) until the member uses it or types again.
    names = State()


class Correction(StatesGroup):
    """A correction after confirming waits to be typed; data: {"ref", "step", "field"} (ids only)."""

    typing = State()


class VotPlan(StatesGroup):
    """/vot plan. Data: {"school"}, then "date", "start", "minutes", "agenda" as they are answered."""

    date = State()
    time = State()
    duration = State()
    agenda = State()
    confirm = State()


class VotMove(StatesGroup):
    """Moving a planned VOT meeting: only a new date and time. Data: {"meeting"}, then "date"."""

    date = State()
    time = State()


class Meldingen(StatesGroup):
    """/meldingen waits for an address to be typed."""

    email = State()
    phone = State()
