"""Property test: random updates through the real dispatcher — any Unicode, 10,000-character messages,
random and forged button data, edits, channel posts, group messages, strangers, members of another
school. No handler error; every reply a clear message; nothing changes for a stranger, another school or
a refusal; nothing of school A's case reaches anyone who may not see it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.settings import Settings
from flows.clock import FrozenClock
from flows.msgids import MSGID_PATTERN
from tests.harness import BotHarness
from tests.privacy_helpers import signal

# Outsiders of school A's case who cannot start one either (a GS may signal in Vlaardingen: an SWV-er).
TEACHER_A, IB_A, IB_B, SWV_B, STRANGER = 11, 12, 21, 22, 666
OUTSIDERS = (IB_B, SWV_B, STRANGER)
GROUP, CHANNEL = -100_777, -100_888
FREE_TEXT = "Vader drinkt en het kind is bang"
LABEL = "QX 7"


@dataclass(frozen=True)
class Sent:
    who: int
    kind: str  # text, press, edit, group, channel
    payload: str


REF = "Z-0001"  # the first reference SequentialIds hands out
# The probes most likely to leak, tried on every run besides the random ones.
PROBES = [
    Sent(who, kind, payload)
    for who in OUTSIDERS
    for kind, payload in [
        ("text", f"/zaak {REF}"),
        ("text", "/signalen"),
        ("text", "/lijst"),
        ("text", "/mijn"),
        ("press", f"z:{REF}"),
        ("press", f"o:{REF}:ib_beoordeling"),
        ("press", f"a:{REF}:ib_beoordeling:zorg_veiligheid"),
        ("group", f"/zaak {REF}"),
    ]
]
RAW_MSGID = MSGID_PATTERN
# Tables a refusal may still write: wrong invite codes are counted per (hashed) user to throttle guessing.
THROTTLE = {"invite_attempt"}


def texts(ref: str) -> st.SearchStrategy[str]:
    commands = ["/help", "/start", "/taal", "/annuleer", "/signaal", "/signalen", "/lijst", "/mijn", "/zaak"]
    return st.one_of(
        st.text(min_size=1, max_size=300),
        st.sampled_from([*commands, f"/zaak {ref}", f"/zaak {ref.lower()}", "/zaak Z-9999", f"/start {ref}"]),
        st.builds(lambda c, n: c * n, st.characters(), st.integers(4000, 10_000)),
        st.builds(lambda cmd, tail: f"{cmd} {tail}", st.sampled_from(commands), st.text(max_size=200)),
    )


def button_data(ref: str) -> st.SearchStrategy[str]:
    parts = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
    return st.one_of(
        st.text(min_size=1, max_size=120),
        st.builds(
            lambda p, rest: f"{p}:{ref}:{rest}", st.sampled_from(["f", "o", "a", "z", "s", "lang"]), parts
        ),
        st.sampled_from(
            [
                f"z:{ref}",
                f"o:{ref}:ib_beoordeling",
                f"a:{ref}:ib_beoordeling:gezin_reageert_niet",
                f"f:{ref}:ib_beoordeling:decision:c:0",
                "lang:en",
                "s:1",
            ]
        ),
    )


def updates(ref: str) -> st.SearchStrategy[Sent]:
    people = st.sampled_from([TEACHER_A, IB_A, *OUTSIDERS])
    return st.one_of(
        st.builds(Sent, people, st.just("text"), texts(ref)),
        st.builds(Sent, people, st.just("press"), button_data(ref)),
        st.builds(Sent, people, st.just("edit"), texts(ref)),
        st.builds(Sent, people, st.just("group"), texts(ref)),
        st.builds(Sent, st.just(0), st.just("channel"), texts(ref)),
    )


async def _setup(h: BotHarness) -> str:
    school_a, school_b = await h.add_school("School A"), await h.add_school("School B")
    await h.register(TEACHER_A, "leerkracht", school_id=school_a)
    await h.register(IB_A, "ib", school_id=school_a)
    await h.register(IB_B, "ib", school_id=school_b)
    await h.register(SWV_B, "swv", school_id=school_b)
    await h.send(STRANGER, "hallo")  # every chat exists, so a press has a message to hang on
    return await signal(h, TEACHER_A, pupil=LABEL, notes=FREE_TEXT)


async def _deliver(h: BotHarness, sent: Sent) -> None:
    if sent.kind == "text":
        await h.send(sent.who, sent.payload)
    elif sent.kind == "press":
        await h.press(sent.who, data=sent.payload)
    elif sent.kind == "group":
        await h.send(sent.who, sent.payload, chat_id=GROUP, chat_type="group")
    elif sent.kind == "channel":
        await h.channel_post(CHANNEL, sent.payload)
    else:
        own = next(m for m in h.state.messages(sent.who) if not m.from_bot)
        update = h.state.user_edits(sent.who, own.message_id, sent.payload)
        await h.state.wait_consumed(int(update["update_id"]))


def _seen_by(h: BotHarness, chat: int) -> list[str]:
    out = []
    for message in h.state.bot_messages(chat):
        out.append(message.text)
        out += [b.text for row in message.buttons for b in row]
    return out


async def _check(h: BotHarness, ref: str, sent: Sent) -> None:
    before = await h.row_counts()
    replies_before = {c: len(h.state.bot_messages(c)) for c in (sent.who, GROUP, CHANNEL)}
    await _deliver(h, sent)
    assert h.errors == []
    for chat, known in replies_before.items():
        for message in h.state.bot_messages(chat)[known:]:
            assert message.text.strip(), f"an empty reply to {sent}"
            assert not RAW_MSGID.match(message.text), f"a raw message id {message.text!r} for {sent}"
    if sent.who in OUTSIDERS or sent.kind in ("group", "channel"):
        after = await h.row_counts()
        changed = {t for t in after if after[t] != before[t]} - THROTTLE
        assert not changed, f"{sent} changed {changed}"
    for chat in (*OUTSIDERS, GROUP, CHANNEL):
        for text in _seen_by(h, chat):
            assert FREE_TEXT not in text and LABEL not in text, f"school A's case reached chat {chat}"
            assert ref not in text or text.startswith("/"), (
                f"the case reference reached chat {chat}: {text!r}"
            )
    for answer in (a.text for c in OUTSIDERS for a in h.state.callback_answers(c)):
        assert answer is None or (FREE_TEXT not in answer and LABEL not in answer)


def test_random_updates_never_fail_leak_or_change_what_they_may_not(
    settings: Settings, clock: FrozenClock
) -> None:
    with asyncio.Runner() as runner:
        h = BotHarness(settings, clock=clock)
        runner.run(h.__aenter__())
        try:
            ref = runner.run(_setup(h))
            assert ref == REF

            @hypothesis_settings(
                max_examples=150,
                deadline=None,
                database=None,  # the examples depend on this run's database, not a stored one
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(sent=updates(ref))
            @_with_probes
            def property(sent: Sent) -> None:
                runner.run(_check(h, ref, sent))

            property()
        finally:
            runner.run(h.__aexit__(None, None, None))


def _with_probes(test: Any) -> Any:
    for probe in PROBES:
        test = example(sent=probe)(test)
    return test
