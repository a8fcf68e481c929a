"""Need-to-know by participation and consent (issue 12), through the real bot: who may see and act on a case
follows the case and the parents' consent, not the role at the school.

- Vlaardingen, before consent: the SWV-er and the GS get exactly the made-up ref's answer, to /zaak and to
  every button, and hear nothing of "gezin reageert niet"; nothing is written for their presses.
- SMWplus: a colleague teacher cannot read the signal nor take the ruggespraak step; the teacher who
  signalled can.
- A teacher who signalled gets the status view of their case, not the GS's contact result or plan.
- Vlaardingen escalation: the gedragswetenschapper the GS picks is told and reads the case; another is not.
- Rotterdam step 4: of all coaches only the one the wijkteamleider picked is told "aan je toegewezen".
"""

from __future__ import annotations

from datetime import datetime

from bot.settings import Settings
from flows.case import Case, Consent, Pupil
from flows.clock import FrozenClock
from flows.participants import SIGNALLED, Participant
from tests.harness import BotHarness
from tests.privacy_helpers import signal

JUF, JUF_B, IB, DIRECTIE, SWV, GS = 41, 42, 43, 44, 45, 46
MADE_UP = "Z-9999"


async def _members(h: BotHarness, school: int, people: dict[int, str]) -> dict[int, int]:
    """Register each user with one role at `school`, named "<role> <user>"; returns their member ids."""
    for user, role in people.items():
        await h.register(user, role, school_id=school, name=f"{role} {user}")
    out = {}
    for user in people:
        member = await h.member(user)
        assert member is not None
        out[user] = member.id
    return out


async def _same_as_made_up(h: BotHarness, user: int, ref: str, buttons: list[str]) -> list[str]:
    """Every press of `buttons` (callback data with {ref}) on the real case, compared with the same press on
    a made-up ref: the answers must be identical and no row written. Returns what differed."""
    wrong = []
    for data in buttons:
        before = await h.row_counts()
        await h.press(user, data=data.format(ref=ref))
        real = (h.callback_answers(user)[-1], h.received(user))
        if await h.row_counts() != before:
            wrong.append(f"{data}: rows changed")
        await h.press(user, data=data.format(ref=MADE_UP))
        made_up = (h.callback_answers(user)[-1], h.received(user))
        if real != made_up:
            wrong.append(f"{data}: {real} != {made_up}")
    return wrong


async def test_partners_learn_nothing_of_a_vlaardingen_case_before_consent(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await _members(h, school, {JUF: "leerkracht", IB: "ib", DIRECTIE: "directie", SWV: "swv", GS: "gs"})
        ref = await signal(h, JUF, notes="Komt vaak moe op school.")
        for user in (IB, DIRECTIE, SWV, GS):
            h.received(user)

        for user in (SWV, GS):
            await h.send(user, f"/zaak {ref}")
            hidden = h.received(user)
            await h.send(user, f"/zaak {MADE_UP}")
            assert hidden == h.received(user)
            await h.send(user, "/lijst")
            assert not any(ref in b for b in h.buttons(user)) and not any(ref in m for m in h.received(user))
            assert not await _same_as_made_up(
                h,
                user,
                ref,
                [
                    "z:{ref}",
                    "o:{ref}:ib_beoordeling",
                    "a:{ref}:ib_beoordeling:gezin_reageert_niet",
                    "a:{ref}:ib_beoordeling:zorg_veiligheid",
                    "f:{ref}:ib_beoordeling:decision:c:extern",
                    "f:{ref}:signaal:-:x:",
                ],
            )
        # The school's own people see it: the IB-er (whose step it is) and the directie.
        for user in (IB, DIRECTIE):
            await h.send(user, f"/zaak {ref}")
            assert h.last(user).startswith(f"<b>{ref} · QX 7</b>")

        # "Gezin reageert niet" before consent: the IB-er and the directie hear it, the partners do not.
        await h.press(IB, data=f"a:{ref}:ib_beoordeling:gezin_reageert_niet")
        await h.press(IB, "Ja, versturen")  # it alerts others: asked first
        assert h.callback_answers(IB)[-1] is None
        assert any("reageert niet" in m for m in h.received(DIRECTIE))
        assert h.received(SWV) == [] and h.received(GS) == []


async def test_a_colleague_teacher_cannot_read_the_signal_or_take_the_ruggespraak(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        async with h.uow() as uow:
            school = (await uow.schools.add(name="Kompas", kind="po", route_id="smwplus", now=clock.now())).id
            await uow.commit()
        ids = await _members(h, school, {JUF: "leerkracht", JUF_B: "leerkracht", IB: "ib"})
        now = clock.now()
        case = Case(
            "Z-0100",
            school,
            "smwplus",
            1,
            "ruggespraak",
            "open",
            ids[JUF],
            now,
            pupil=Pupil(None, "KL 4a"),
            step_entered_at=now,
            data={"niet_pluis": {"pupil": {"label": "KL 4a"}, "notes": "Trekt zich terug."}},
            participants=(Participant(ids[JUF], SIGNALLED, now, "niet_pluis"),),
        )
        async with h.uow() as uow:
            await uow.cases.save(case, now)
            await uow.commit()

        await h.send(JUF_B, "/zaak Z-0100")
        hidden = h.received(JUF_B)
        await h.send(JUF_B, f"/zaak {MADE_UP}")
        assert hidden == h.received(JUF_B)
        assert not await _same_as_made_up(
            h, JUF_B, "Z-0100", ["z:{ref}", "o:{ref}:ruggespraak", "a:{ref}:ruggespraak:zorg_veiligheid"]
        )

        # The teacher who signalled reads their note and takes the step.
        await h.send(JUF, "/zaak Z-0100")
        assert "Trekt zich terug." in h.last(JUF)
        await h.press(JUF, data="o:Z-0100:ruggespraak")
        assert h.callback_answers(JUF)[-1] is None and h.received(JUF)


async def test_the_teacher_who_signalled_gets_the_status_view_not_the_familys_details(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        ids = await _members(h, school, {JUF: "leerkracht", IB: "ib", GS: "gs"})
        now: datetime = clock.now()
        case = Case(
            "Z-0200",
            school,
            "vlaardingen",
            1,
            "opgeschaald",
            "open",
            ids[JUF],
            now,
            pupil=Pupil(None, "AB 5b"),
            step_entered_at=now,
            consent=Consent("given", "telefoon", "2026-11-23", ids[IB], now),
            regiehouder="wijkteam",
            data={
                "signaal": {"pupil": {"label": "AB 5b"}, "notes": "Komt vaak moe op school."},
                "gs_contact": {"channel": "huisbezoek", "reached": "ja", "result": "Moeder thuis gesproken."},
                "gs_resultaat": {
                    "sufficient": "onvoldoende",
                    "escalate_to": "wot",
                    "plan": "Wijkteam erbij.",
                },
            },
            participants=(
                Participant(ids[JUF], SIGNALLED, now, "signaal"),
                Participant(ids[JUF], "leerkracht", now, "signaal"),
                Participant(ids[IB], "ib", now, "ib_beoordeling"),
                Participant(ids[GS], "gs", now, "gs_check"),
            ),
        )
        async with h.uow() as uow:
            await uow.cases.save(case, now)
            await uow.commit()

        await h.send(JUF, "/zaak Z-0200")
        teacher = h.last(JUF)
        assert teacher.startswith("<b>Z-0200 · AB 5b</b>") and "Regiehouder" in teacher  # step, holder, open
        assert "Komt vaak moe op school." in teacher  # their own signal
        assert "Moeder thuis gesproken." not in teacher and "Wijkteam erbij." not in teacher
        await h.send(GS, "/zaak Z-0200")
        assert "Moeder thuis gesproken." in h.last(GS) and "Wijkteam erbij." in h.last(GS)


async def _pick_and_confirm(h: BotHarness, user: int, presses: list[str]) -> None:
    for text in presses:
        await h.press(user, text)
        assert h.callback_answers(user)[-1] is None, (text, h.callback_answers(user)[-1])


async def test_only_the_member_escalated_to_is_told_and_takes_part(
    settings: Settings, clock: FrozenClock
) -> None:
    GW, GW_B, WT = 51, 52, 53
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        ids = await _members(
            h,
            school,
            {JUF: "leerkracht", IB: "ib", GS: "gs", GW: "gedragswetenschapper", GW_B: "gedragswetenschapper"}
            | {WT: "wijkteam"},
        )
        now = clock.now()
        case = Case(
            "Z-0300",
            school,
            "vlaardingen",
            1,
            "gs_resultaat",
            "open",
            ids[JUF],
            now,
            pupil=Pupil(None, "AB 5b"),
            step_entered_at=now,
            consent=Consent("given", "telefoon", "2026-11-23", ids[IB], now),
            participants=(Participant(ids[JUF], SIGNALLED, now, "signaal"),),
        )
        async with h.uow() as uow:
            await uow.cases.save(case, now)
            await uow.commit()
        # A forged pick of someone who is no gedragswetenschapper is refused like an outdated button.
        await h.press(GS, data="o:Z-0300:gs_resultaat")
        await h.press(GS, "Onvoldoende: opschalen")
        await h.press(GS, "Gedragswetenschapper")
        offered = h.buttons(GS)
        assert {f"gedragswetenschapper {GW}", f"gedragswetenschapper {GW_B}"} <= set(offered)
        assert f"leerkracht {JUF}" not in offered and f"wijkteam {WT}" not in offered
        await h.press(GS, data=f"f:Z-0300:gs_resultaat:gw_member:m:{ids[JUF]}")
        assert h.callback_answers(GS)[-1] == "Deze knop werkt niet meer."
        await _pick_and_confirm(h, GS, [f"gedragswetenschapper {GW}"])
        await h.send(GS, "Observatie in de klas.")
        await _pick_and_confirm(h, GS, ["Bevestigen"])
        told = {user: h.received(user, all=True) for user in (GW, GW_B, WT)}
        assert any("Z-0300" in m for m in told[GW])
        assert not any("Z-0300" in m for m in told[GW_B])  # the other gedragswetenschapper hears nothing
        await h.send(GW, "/zaak Z-0300")
        assert "Observatie in de klas." in h.last(GW)
        await h.send(GW_B, "/zaak Z-0300")
        assert not h.last(GW_B).startswith("<b>Z-0300")


async def test_of_all_coaches_only_the_one_picked_is_told_aan_je_toegewezen(
    settings: Settings, clock: FrozenClock
) -> None:
    SMW, WTL, COACH_A, COACH_B = 61, 62, 63, 64
    async with BotHarness(settings, clock=clock) as h:
        async with h.uow() as uow:
            school = (
                await uow.schools.add(name="Esch", kind="po", route_id="rotterdam_po", now=clock.now())
            ).id
            await uow.commit()
        people = {JUF: "leerkracht", SMW: "smw", WTL: "wijkteamleider", COACH_A: "jgc", COACH_B: "jgc"}
        ids = await _members(h, school, people)
        now = clock.now()
        case = Case(
            "Z-0400",
            school,
            "rotterdam_po",
            1,
            "toewijzen",
            "open",
            ids[JUF],
            now,
            pupil=Pupil(None, "CD 6a"),
            step_entered_at=now,
            consent=Consent("given", "gesprek", "2026-11-23", ids[SMW], now),
            participants=(Participant(ids[JUF], SIGNALLED, now, "signaal"),),
        )
        async with h.uow() as uow:
            await uow.cases.save(case, now)
            await uow.commit()
        await h.press(WTL, data="o:Z-0400:toewijzen")
        assert {f"jgc {COACH_A}", f"jgc {COACH_B}"} <= set(h.buttons(WTL))
        await _pick_and_confirm(h, WTL, [f"jgc {COACH_A}", "Overslaan", "Bevestigen"])
        await h.press(SMW, data="o:Z-0400:document")
        for answer in ("Moeder en twee kinderen.", "Betrokken moeder.", None, "Geen verzuim."):
            if answer is None:
                await _pick_and_confirm(h, SMW, ["Overslaan"])
            else:
                await h.send(SMW, answer)
        await _pick_and_confirm(h, SMW, ["Bevestigen"])
        assert any("aan je toegewezen" in m for m in h.received(COACH_A, all=True))
        assert not any("Z-0400" in m for m in h.received(COACH_B, all=True))
        await h.send(COACH_B, "/zaak Z-0400")
        hidden = h.received(COACH_B)
        await h.send(COACH_B, f"/zaak {MADE_UP}")
        assert hidden == h.received(COACH_B)
        await h.send(COACH_A, "/zaak Z-0400")
        assert "Moeder en twee kinderen." in h.last(COACH_A)


async def test_a_vot_invitation_lists_only_the_cases_the_invitee_may_see(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school()
        await _members(h, school, {JUF: "leerkracht", IB: "ib", GS: "gs"})
        ref = await signal(h, JUF, pupil="QX 7")
        await h.press(IB, data=f"a:{ref}:ib_beoordeling:gezin_reageert_niet")  # on the VOT list, no consent
        await h.press(IB, "Ja, versturen")
        await h.send(IB, "/vot plan")
        await h.send(IB, "26-11-2026")
        await h.send(IB, "15:30")
        await h.press(IB, "60 min")
        await h.press(IB, "Alle leerlingen op de VOT-lijst (1)")
        h.received(IB), h.received(GS)
        await h.press(IB, "Versturen")
        assert any("QX 7" in m for m in h.received(IB))
        [invitation] = [m for m in h.received(GS) if "Uitnodiging" in m]
        assert ref not in invitation and "QX 7" not in invitation  # the GS may not know this pupil yet
