"""What can happen to a case: the engine's inputs. Button presses and messages become these at the edge;
a due follow-up comes back as a `Timeout` (timeouts are inputs, not side effects)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Open:
    """An actor starts (or resumes) filling in `step` of a case."""

    step: str


@dataclass(frozen=True)
class Answer:
    """A typed answer to the actor's pending field (text, date, pupil label)."""

    text: str


@dataclass(frozen=True)
class Choose:
    """A button press on `field` of `step`; the step is carried so that a stale button is detected."""

    step: str
    field: str
    value: str


@dataclass(frozen=True)
class SetValue:
    """A structured value chosen at the edge for `field` (e.g. an existing pupil picked from a list)."""

    step: str
    field: str
    value: Any


@dataclass(frozen=True)
class Toggle:
    """Tick or untick an option of a multi-choice field."""

    step: str
    field: str
    value: str


@dataclass(frozen=True)
class Done:
    """Finish a multi-choice field or skip an optional field."""

    step: str
    field: str


@dataclass(frozen=True)
class Confirm:
    step: str


@dataclass(frozen=True)
class Reopen:
    """Change an answer before confirming: ask `field` of `step` again from the summary."""

    step: str
    field: str


@dataclass(frozen=True)
class Discard:
    """The actor abandons their draft (/annuleer)."""


@dataclass(frozen=True)
class DoAction:
    action: str
    step: str  # the step the button was shown on


@dataclass(frozen=True)
class Correct:
    """After confirming: the actor of `step` adds a correction to `field` (typed text or a date as text,
    or an option's value). Appended beside the recorded answer, never over it."""

    step: str
    field: str
    value: str


@dataclass(frozen=True)
class Timeout:
    """A follow-up fell due. `step` is the step it was scheduled on; if the case has moved, it is void."""

    follow_up: str
    step: str


Input = (
    Open
    | Answer
    | Choose
    | SetValue
    | Toggle
    | Done
    | Confirm
    | Reopen
    | Discard
    | DoAction
    | Correct
    | Timeout
)
