"""Button data: one typed class per form action, on the wire format the buttons already in chats carry,
within Telegram's 64 bytes for every id the shipped routes use; and a press no class reads is stale."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import MAX_CALLBACK_LENGTH, CallbackData

from bot.callbacks import (
    FORM_PRESSES,
    ActionCb,
    ActionConfirmCb,
    CaseCb,
    FormChoose,
    FormConfirm,
    FormDate,
    FormDiscard,
    FormDone,
    FormPress,
    FormPupil,
    FormReopen,
    FormToggle,
    OpenCb,
    SnoozeCb,
)
from bot.settings import Settings
from flows.clock import FrozenClock
from flows.registry import builtin_registry
from tests.harness import BotHarness
from tests.privacy_helpers import signal

LONGEST_REF = "Z-" + "X" * 6  # flows.clock.RandomIds.case_ref
LARGEST_PUPIL = 2**63 - 1  # a BIGINT row id
STALE = "Deze knop werkt niet meer."
TEACHER = 1


def _every_button_of_the_shipped_routes() -> list[CallbackData]:
    out: list[CallbackData] = [CaseCb(ref=LONGEST_REF)]
    for route in builtin_registry().current():
        for step in route.steps.values():
            at = {"ref": LONGEST_REF, "step": step.id}
            out += [OpenCb(**at), FormConfirm(**at, field="-"), FormDiscard(**at, field="-")]
            out += [ActionCb(**at, action=a) for a in route.actions]
            out += [ActionConfirmCb(**at, action=a) for a in route.actions]
            out += [SnoozeCb(**at, follow_up=f.id) for f in step.follow_ups]
            for field in step.fields:
                on = {**at, "field": field.id}
                last = max(len(field.options) - 1, 0)
                out += [FormChoose(**on, option=last), FormToggle(**on, option=last), FormDone(**on)]
                out += [FormDate(**on, day="20261123"), FormPupil(**on, pupil=LARGEST_PUPIL)]
                out += [FormDiscard(**on), FormReopen(**on)]
    return out


def test_every_button_of_the_shipped_routes_packs_within_64_bytes() -> None:
    buttons = _every_button_of_the_shipped_routes()
    assert len(buttons) > 100
    longest = max(buttons, key=lambda b: len(b.pack().encode()))  # pack() itself refuses > 64 bytes
    assert len(longest.pack().encode()) <= MAX_CALLBACK_LENGTH


@pytest.mark.parametrize(
    ("button", "wire"),
    [
        (FormChoose(ref="Z-0001", step="signaal", field="area", option=0), "f:Z-0001:signaal:area:c:0"),
        (FormToggle(ref="Z-0001", step="signaal", field="obs", option=3), "f:Z-0001:signaal:obs:t:3"),
        (FormDone(ref="Z-0001", step="signaal", field="obs"), "f:Z-0001:signaal:obs:d:"),
        (FormDate(ref="Z-0001", step="s", field="date", day="20261123"), "f:Z-0001:s:date:v:20261123"),
        (FormPupil(ref="Z-0001", step="signaal", field="pupil", pupil=7), "f:Z-0001:signaal:pupil:p:7"),
        (FormConfirm(ref="Z-0001", step="signaal", field="-"), "f:Z-0001:signaal:-:ok:"),
        (FormDiscard(ref="Z-0001", step="signaal", field="-"), "f:Z-0001:signaal:-:x:"),
    ],
)
def test_each_action_keeps_the_wire_format_and_only_its_class_reads_it(button: FormPress, wire: str) -> None:
    """The buttons members already have (packed when op was a one-letter string) keep working."""
    assert button.pack() == wire
    readers = []
    for cls in FORM_PRESSES:
        try:
            readers.append(cls.unpack(wire))
        except (TypeError, ValueError):
            continue
    assert readers == [button]


async def test_a_press_no_button_class_reads_is_stale_and_changes_nothing(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        ref = await signal(h, TEACHER)
        before = await h.row_counts()
        unreadable = [
            f"f:{ref}:signaal:area:zz:0",  # an op no class has
            f"f:{ref}:signaal:area:c:first",  # an option that is not a number
            f"f:{ref}:signaal:area:c",  # the shape of an older, shorter button
            f"f:{ref}:signaal:-:ok:extra",  # a confirm with a value
            f"form:{ref}:signaal:area:c:0",  # another prefix
        ]
        for data in unreadable:
            await h.press(TEACHER, data=data)
        assert h.callback_answers(TEACHER)[-len(unreadable) :] == [STALE] * len(unreadable)
        assert await h.row_counts() == before
