"""What people write is shown as they wrote it, even when it looks like a message id.

A message id used to be recognised by its shape, so a note "zie.verslag" or a pupil label that happens to
be a real msgid ("form.skip") was looked up in the catalogs and shown translated. Now only a `Msg` is
translated (flows/msgids.py); the engine's own ids still are."""

from __future__ import annotations

import logging

import pytest

from bot.i18n import make_i18n
from bot.render.form import render_summary
from bot.render.notification import notification_lines
from bot.render.text import Translator
from bot.services.cases import CaseService
from bot.settings import Settings
from flows import events as ev
from flows import inputs as inp
from flows.clock import FrozenClock
from flows.msgids import N_, Msg, params_from_data, params_to_data
from tests.harness import BotHarness

TEACHER, IB = 4001, 4002
NOTE = "zie.verslag"  # free text shaped like a msgid
LABEL = "form.skip"  # a pupil label that is a real msgid ("Overslaan")


async def _signal(h: BotHarness, school_id: int) -> str:
    """The teacher's signal on a pupil labelled LABEL with the note NOTE, and the IB-er's decision."""
    assert h.runtime is not None
    runtime = h.runtime

    async def act(user: int, ref: str | None, given: inp.Input | None) -> str:
        member = await h.member(user)
        assert member is not None
        async with h.uow() as uow:
            member = await uow.members.get(member.id)
            assert member is not None
            service = CaseService(uow, runtime.route_engine, h.clock, h.ids, "Europe/Amsterdam")
            if ref is None:
                outcome = await service.start(member, school_id, "vlaardingen")
            else:
                assert given is not None
                outcome = await service.advance(member, ref, given)
            assert outcome.case is not None and not outcome.refused, outcome.events
            await uow.commit()
            return outcome.case.ref

    ref = await act(TEACHER, None, None)
    for given in (
        inp.SetValue("signaal", "pupil", {"id": None, "label": LABEL, "number": None}),
        inp.Choose("signaal", "area", "zorg"),
        inp.Toggle("signaal", "observations", "verzuim"),
        inp.Done("signaal", "observations"),
        inp.Answer(NOTE),
        inp.Choose("signaal", "safety", "nee"),
        inp.Confirm("signaal"),
    ):
        await act(TEACHER, ref, given)
    await runtime.outbox.drain()  # the IB-er's new-signal notice
    await act(IB, ref, inp.Open("ib_beoordeling"))
    await act(IB, ref, inp.Choose("ib_beoordeling", "decision", "extern"))
    await runtime.outbox.drain()
    return ref


async def test_a_note_and_a_pupil_label_shaped_like_msgids_are_shown_verbatim(
    settings: Settings, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.render.text")
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await h.register(TEACHER, "leerkracht", school_id=school)
        await h.register(IB, "ib", school_id=school)
        ref = await _signal(h, school)

        notices = [text for text in h.received(IB, all=True) if ref in text]
        assert notices and all(f"{ref}</b> · {LABEL}" in n or f"{ref} · {LABEL}" in n for n in notices)

        await h.send(IB, f"/zaak {ref}")  # the case view: header, what was recorded, the timeline
        view = h.last(IB)
        assert f"{ref} · {LABEL}" in view
        assert NOTE in view
        assert "Overslaan" not in view
        # The engine's ids in the same view are translated: step titles in the status and the timeline.
        assert "vlaardingen." not in view and "case." not in view

        await h.send(IB, "/agenda")  # the pupil label is a parameter of the agenda line
        agenda = h.last(IB)
        assert f"{ref} · {LABEL}:" in agenda and "Overslaan" not in agenda
        assert "Herinnering: de toestemming" in agenda  # the follow-up's msgid still translates

        await h.send(IB, "/mijn")  # the case list's buttons carry the label too
        assert any(LABEL in b for b in h.buttons(IB))
    assert not [r for r in caplog.records if "translation" in r.getMessage()]


def test_only_a_msg_parameter_is_translated() -> None:
    t = Translator(make_i18n("nl"), "nl")
    assert t("engine.submitted", step=N_("form.skip"), ref="Z-1") == t(
        "engine.submitted", step="Overslaan", ref="Z-1"
    )
    assert "form.skip" in t("engine.submitted", step="form.skip", ref="Z-1")
    assert "Overslaan" not in t("engine.submitted", step="form.skip", ref="Z-1")
    assert t.param("a<b") == "a&lt;b"


def test_stored_params_keep_which_are_msgids() -> None:
    stored = params_to_data({"what": N_("form.skip"), "note": NOTE, "n": 3})
    assert stored == {"what": {"msgid": "form.skip"}, "note": NOTE, "n": 3}
    back = params_from_data(stored)
    assert isinstance(back["what"], Msg) and not isinstance(back["note"], Msg) and back["n"] == 3


def test_a_school_notice_translates_its_marked_params_only() -> None:
    t = Translator(make_i18n("nl"), "nl")
    payload = {"message": "offboard.notice", "params": params_to_data({"n": 2}), "school_id": 1}
    lines = notification_lines(t, payload, "De Regenboog")
    assert "offboard.notice" not in "\n".join(lines) and "2" in lines[1]


def test_the_summary_before_confirming_shows_what_was_written_and_translates_the_choices() -> None:
    t = Translator(make_i18n("nl"), "nl")
    summary = ev.Summary(
        1,
        "Z-0001",
        "signaal",
        (
            (N_("vlaardingen.ask.pupil"), "pupil", LABEL),
            (N_("vlaardingen.ask.notes"), "text", NOTE),
            (N_("vlaardingen.ask.area"), "choice", N_("vlaardingen.opt.area_zorg")),
        ),
    )
    text, _ = render_summary(t, None, N_("vlaardingen.step.signaal"), summary)
    assert LABEL in text and NOTE in text and "Overslaan" not in text
    assert "vlaardingen." not in text  # the prompts and the chosen option are translated
