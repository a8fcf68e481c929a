"""Each seed route end to end through Telegram: the real bot polling the emulator, members registered
with invites at a school that follows the route, pressing the buttons people press (SQLite and PostgreSQL).
The golden transcripts cover the branches; these prove the running bot carries a case to its end."""

from __future__ import annotations

from bot.settings import Settings
from flows.clock import FrozenClock
from tests.harness import BotHarness

Script = list[tuple[str, str, str]]  # (who, "send" | "press", text)


async def play(h: BotHarness, people: dict[str, int], script: Script) -> None:
    for who, how, text in script:
        if how == "send":
            await h.send(people[who], text)
        else:
            await h.press(people[who], text)


async def school_with(h: BotHarness, route_id: str, kind: str, roles: dict[str, str]) -> dict[str, int]:
    """A school on `route_id` and one member per role; returns each member's Telegram id by role."""
    async with h.uow() as uow:
        school = await uow.schools.add(name="De Esch", kind=kind, route_id=route_id, now=h.clock.now())
        await uow.commit()
    people = {}
    for i, (who, role) in enumerate(roles.items()):
        people[who] = 5001 + i
        await h.register(people[who], role, school_id=school.id, name=who)
    return people


async def case_state(h: BotHarness, ref: str) -> tuple[str, str, str]:
    async with h.uow() as uow:
        case = await uow.cases.get(ref)
    assert case is not None
    return case.route_id, case.status, case.step


def signal(who: str, pupil: str, *observations: str) -> Script:
    return [
        (who, "send", "/signaal"),
        (who, "send", pupil),
        *[(who, "press", f"☐ {o}") for o in observations],
        (who, "press", "Klaar"),
    ]


async def test_rotterdam_po_from_signal_to_the_coach_and_aftercare(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        people = await school_with(
            h,
            "rotterdam_po",
            "po",
            {"juf": "leerkracht", "ib": "ib", "smw": "smw", "wtl": "wijkteamleider", "coach": "jgc"},
        )
        await play(
            h,
            people,
            [
                *signal("juf", "CD 6a", "Thuis"),
                ("juf", "press", "Overslaan"),
                ("juf", "press", "Nee"),
                ("juf", "press", "Bevestigen"),
                ("smw", "press", "Bekijken"),
                ("smw", "press", "Oppakken: Schoolmaatschappelijk werker weegt de ernst per leefgebied"),
                ("smw", "press", "Licht"),
                ("smw", "press", "Ernstig"),
                ("smw", "press", "Geen zorgen"),
                ("smw", "press", "☐ Ouders/verzorgers"),
                ("smw", "press", "Klaar"),
                ("smw", "press", "Overslaan"),
                ("smw", "press", "Bevestigen"),
                ("ib", "press", "Bekijken"),
                ("ib", "press", "Oppakken: Bespreking in het MDO/OZO"),
                ("ib", "press", "Zorgarrangement nodig: toeleiden naar het wijkteam"),
                ("ib", "press", "Bevestigen"),
                ("smw", "press", "Bekijken"),
                ("smw", "press", "Oppakken: Hulpvraag en doelen met leerling en ouders"),
                ("smw", "send", "Rust thuis."),
                ("smw", "send", "Vaste routine."),
                ("smw", "press", "☐ Leerling"),
                ("smw", "press", "Klaar"),
                ("smw", "press", "Telefoon"),
                ("smw", "press", "Ja, akkoord"),
                ("smw", "press", "Vandaag"),
                ("smw", "press", "Bevestigen"),
                ("smw", "send", "/zaak Z-0001"),
                ("smw", "press", "Oppakken: Telefonisch contact met de wijkteamleider"),
                ("smw", "send", "Feijenoord"),
                ("smw", "press", "Thuis"),
                ("smw", "press", "Het wijkteam"),
                ("smw", "press", "Bevestigen"),
                ("wtl", "press", "Bekijken"),
                ("wtl", "press", "Oppakken: Wijkteamleider wijst een jeugd- en gezinscoach toe"),
                ("wtl", "press", "coach"),  # the one coach who takes the case
                ("wtl", "press", "Overslaan"),
                ("wtl", "press", "Bevestigen"),
                ("smw", "press", "Bekijken"),
                ("smw", "press", "Oppakken: Werk- en toeleidingsdocument naar de coach"),
                ("smw", "send", "Moeder en twee kinderen."),
                ("smw", "send", "Betrokken moeder."),
                ("smw", "press", "Overslaan"),
                ("smw", "send", "Leert goed."),
                ("smw", "press", "Bevestigen"),
                ("coach", "press", "Bekijken"),
            ],
        )
        h.received(people["coach"])
        await h.press(people["coach"], "Oppakken: Coach ontvangt het toeleidingsdocument")
        document, question = h.received(people["coach"])
        # The werk- en toeleidingsdocument, assembled from the SMW-er's steps, comes before the question.
        assert "Werk- en toeleidingsdocument SMW" in document
        for recorded in ("Ernstig", "Rust thuis.", "Feijenoord", "Moeder en twee kinderen.", "Leert goed."):
            assert recorded in document
        assert "compleet genoeg" in question
        await play(
            h,
            people,
            [
                ("coach", "press", "Ja"),
                ("coach", "press", "Bevestigen"),
                ("coach", "send", "/zaak Z-0001"),
                ("coach", "press", "Oppakken: Afspraak met leerling, ouders en school"),
                ("coach", "press", "Over 2 weken"),
                ("coach", "press", "Op school"),
                ("coach", "press", "☐ Ouders/verzorgers"),
                ("coach", "press", "Klaar"),
                ("coach", "press", "Bevestigen"),
                ("coach", "send", "/zaak Z-0001"),
                ("coach", "press", "Oppakken: Warme overdracht"),
                ("coach", "press", "☐ Hulpvraag"),
                ("coach", "press", "Klaar"),
                ("coach", "send", "Maandelijks contact."),
                ("coach", "press", "Over 6 weken"),
                ("coach", "press", "Bevestigen"),
                ("coach", "send", "/zaak Z-0001"),
                ("coach", "press", "Oppakken: Integraal ondersteuningsplan"),
                ("coach", "press", "Ja"),
                ("coach", "press", "Overslaan"),
                ("coach", "press", "Bevestigen"),
                ("coach", "send", "/zaak Z-0001"),
                ("coach", "press", "Oppakken: Tussentijds overleg"),
                ("coach", "press", "Klaar voor de eindevaluatie"),
                ("coach", "press", "Overslaan"),
                ("coach", "press", "Bevestigen"),
                ("coach", "send", "/zaak Z-0001"),
                ("coach", "press", "Oppakken: Eindevaluatie en nazorg"),
                ("coach", "press", "Ja"),
                ("coach", "press", "Afsluiten met nazorgafspraken"),
                ("coach", "send", "Belronde over drie maanden."),
                ("coach", "press", "Bevestigen"),
            ],
        )
        assert "Het traject is afgerond" in h.last(people["ib"])
        assert await case_state(h, "Z-0001") == ("rotterdam_po", "closed", "afgerond")


async def test_rotterdam_vo_the_zat_sot_keeps_it_in_school(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        people = await school_with(
            h, "rotterdam_vo", "vo", {"mentor": "mentor", "zoco": "zorgcoordinator", "smw": "smw"}
        )
        await play(
            h,
            people,
            [
                *signal("mentor", "JK 3c", "School"),
                ("mentor", "press", "Overslaan"),
                ("mentor", "press", "Nee"),
                ("mentor", "press", "Bevestigen"),
                ("smw", "press", "Bekijken"),
                ("smw", "press", "Oppakken: Schoolmaatschappelijk werker weegt de ernst per leefgebied"),
                ("smw", "press", "Matig"),
                ("smw", "press", "Geen zorgen"),
                ("smw", "press", "Licht"),
                ("smw", "press", "☐ Mentor"),
                ("smw", "press", "Klaar"),
                ("smw", "press", "Overslaan"),
                ("smw", "press", "Bevestigen"),
                ("zoco", "press", "Bekijken"),
                ("zoco", "press", "Oppakken: Bespreking in het zorgoverleg en ZAT/SOT"),
                ("zoco", "press", "School pakt het zelf op"),
                ("zoco", "press", "Bevestigen"),
            ],
        )
        assert "De zaak is gesloten" in h.last(people["smw"])
        assert await case_state(h, "Z-0001") == ("rotterdam_vo", "closed", "binnen_school")


async def test_mvs_agreements_after_the_consult_close_without_a_vot(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        people = await school_with(
            h, "mvs_po", "po", {"juf": "leerkracht", "ib": "ib", "directie": "directie"}
        )
        await play(
            h,
            people,
            [
                *signal("juf", "BB 4b", "Gedrag"),
                ("juf", "press", "Ja"),
                ("juf", "press", "Overslaan"),
                ("juf", "press", "Nee"),
                ("juf", "press", "Bevestigen"),
                ("ib", "press", "Bekijken"),
                ("ib", "press", "Oppakken: Collegiaal consult"),
                ("ib", "press", "☐ Leerkracht"),
                ("ib", "press", "Klaar"),
                ("ib", "press", "2. Er is wat nodig: afspraken wie wat doet"),
                ("ib", "press", "Bevestigen"),
                ("ib", "send", "/zaak Z-0001"),
                ("ib", "press", "Oppakken: Afspraken: wie doet wat"),
                ("ib", "press", "☐ Leerkracht"),
                ("ib", "press", "Klaar"),
                ("ib", "send", "Pauzeafspraken."),
                ("ib", "press", "Over 4 weken"),
                ("ib", "press", "Bevestigen"),
                ("ib", "send", "/zaak Z-0001"),
                ("ib", "press", "Oppakken: Evaluatie van de afspraken"),
                ("ib", "press", "Ja, voldoende: afronden"),
                ("ib", "press", "Bevestigen"),
            ],
        )
        assert "De zaak is afgerond" in h.last(people["directie"])
        assert await case_state(h, "Z-0001") == ("mvs_po", "closed", "afgerond")


async def test_smwplus_from_niet_pluis_through_the_verwijsindex_decision(
    settings: Settings, clock: FrozenClock
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        people = await school_with(
            h, "smwplus", "vo", {"mentor": "mentor", "zoco": "zorgcoordinator", "smw": "smw"}
        )
        await play(
            h,
            people,
            [
                # VO: the mentor plays the teacher's part, the zorgcoördinator the IB-er's (synonyms).
                *signal("mentor", "KL 2a", "Sociaal-emotioneel"),
                ("mentor", "press", "Overslaan"),
                ("mentor", "press", "Nee"),
                ("mentor", "press", "Bevestigen"),
                ("mentor", "send", "/zaak Z-0001"),
                ("mentor", "press", "Oppakken: Ruggespraak met intern begeleider, directeur of collega's"),
                ("mentor", "press", "☐ Intern begeleider"),
                ("mentor", "press", "Klaar"),
                ("mentor", "press", "Overslaan"),
                ("mentor", "press", "Bevestigen"),
                ("mentor", "send", "/zaak Z-0001"),
                ("mentor", "press", "Oppakken: Gesprek met de ouders"),
                ("mentor", "press", "Vandaag"),
                ("mentor", "press", "Zorgen bevestigd"),
                ("mentor", "press", "Bevestigen"),
                ("zoco", "press", "Bekijken"),
                ("zoco", "press", "Oppakken: Intern begeleider schakelt SMWplus in"),
                ("zoco", "press", "☐ Opvoedingsvragen"),
                ("zoco", "press", "Klaar"),
                ("zoco", "press", "Bevestigen"),
                ("smw", "press", "Bekijken"),
                ("smw", "press", "Oppakken: SMWplus bespreekt de aanpak met ouders"),
                ("smw", "press", "Telefoon"),
                ("smw", "press", "Ja, akkoord"),
                ("smw", "press", "Vandaag"),
                ("smw", "send", "Wekelijkse gesprekken."),
                ("smw", "press", "Bevestigen"),
                ("smw", "send", "/zaak Z-0001"),
                ("smw", "press", "Oppakken: Besluit verwijsindex"),
                ("smw", "press", "☐ Geen van deze"),
                ("smw", "press", "Klaar"),
                ("smw", "press", "Ja"),
                ("smw", "press", "Ja"),
                ("smw", "press", "Geen signaal afgeven"),
                ("smw", "send", "JES-2026-7"),
                ("smw", "press", "Bevestigen"),
                ("smw", "send", "/zaak Z-0001"),
                ("smw", "press", "Oppakken: Eerstelijns hulp door SMWplus"),
                ("smw", "press", "☐ Gesprekken met het kind"),
                ("smw", "press", "Klaar"),
                ("smw", "press", "Over 6 weken"),
                ("smw", "press", "Bevestigen"),
                ("smw", "send", "/zaak Z-0001"),
                ("smw", "press", "Oppakken: Evaluatie SMWplus"),
                ("smw", "press", "Doelen behaald: afronden"),
                ("smw", "press", "Bevestigen"),
            ],
        )
        assert "De zaak is afgerond" in h.last(people["zoco"])
        assert await case_state(h, "Z-0001") == ("smwplus", "closed", "afgerond")
