"""/help lists the commands of the member's roles, from the one command registry."""

from __future__ import annotations

from bot.commands import COMMANDS, by_name, commands_for
from bot.settings import Settings
from flows.clock import FrozenClock
from flows.roles import ROLES
from tests.harness import BotHarness

TEACHER = 2001
IB = 2002


async def test_help_differs_by_role(settings: Settings, clock: FrozenClock) -> None:
    async with BotHarness(settings, clock=clock) as h:
        school = await h.add_school("De Regenboog")
        await h.register(TEACHER, "leerkracht", school_id=school, name="Tom")
        await h.register(IB, "ib", school_id=school, name="Ineke")

        await h.send(TEACHER, "/help")
        await h.send(IB, "/help")
        [teacher_help] = h.received(TEACHER)
        [ib_help] = h.received(IB)
        menus = {lang: [c["command"] for c in h.state.commands(language_code=lang)] for lang in ("nl", "en")}
        english_menu = h.state.commands(language_code="en")

    assert teacher_help != ib_help
    common = ["help", "taal", "annuleer", "route"]
    assert menus == {"nl": common, "en": common}  # setMyCommands
    assert english_menu[0]["description"] == "what you can do here"
    for text in (teacher_help, ib_help):
        assert "Wat je hier kunt doen" in text
        assert "/taal — Nederlands of Engels" in text and "/annuleer" in text
    assert "Je rol: leerkracht bij De Regenboog" in teacher_help
    assert "/signaal — een zorg over een leerling melden" in teacher_help
    assert "/signalen" not in teacher_help
    assert "Je rol: intern begeleider bij De Regenboog" in ib_help
    assert "/signalen — nieuwe signalen van leerkrachten" in ib_help
    assert "/signaal —" not in ib_help


def test_registry_is_consistent() -> None:
    names = [spec.name for spec in COMMANDS] + [alias for spec in COMMANDS for alias in spec.aliases]
    assert len(names) == len(set(names))
    assert all(spec.roles <= ROLES and (spec.roles or spec.starts_route) for spec in COMMANDS)
    assert by_name("cancel") is by_name("annuleer")
    assert [spec.name for spec in commands_for({"leerkracht"}, may_start=True)] == [
        "help",
        "taal",
        "annuleer",
        "start",
        "signaal",
        "zaak",
        "mijn",
        "agenda",
        "route",
        "meldingen",
    ]
    assert "lijst" in [spec.name for spec in commands_for({"swv"})]


async def test_signaal_is_offered_to_whom_the_schools_route_lets_start(
    settings: Settings, clock: FrozenClock
) -> None:
    """An IB-er starts cases in MVS PO (its `start.roles`), not in Vlaardingen: /help follows the route."""
    async with BotHarness(settings, clock=clock) as h:
        vlaardingen, mvs = await h.add_school("De Regenboog"), await h.add_school("De Windroos")
        async with h.uow() as uow:
            school = await uow.schools.get(mvs)
            assert school is not None
            school.route_id = "mvs_po"
            await uow.commit()
        await h.register(IB, "ib", school_id=vlaardingen, name="Ineke")
        await h.register(IB + 1, "ib", school_id=mvs, name="Ida")
        await h.send(IB, "/help")
        await h.send(IB + 1, "/help")
        assert "/signaal —" not in h.last(IB) and "/signaal —" in h.last(IB + 1)
        await h.send(IB + 1, "/signaal")
        assert "/signaal" not in h.last(IB + 1) and h.buttons(IB + 1)  # the form's first question
