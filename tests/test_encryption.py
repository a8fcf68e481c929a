"""Encryption at rest: what people wrote and people's names never reach the database in plaintext, and
the data key can be rotated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import JSON, String, Text, select, text

from bot.services.secret import load_data_keys
from bot.settings import Settings, SettingsError, load_settings
from flows.clock import FrozenClock
from storage.base import Base
from storage.crypto import FernetCipher, new_key
from storage.db import create_engine, make_sessionmaker
from storage.models import CaseRow, Member
from storage.rotation import reseal_all
from storage.uow import UnitOfWork
from tests.harness import BotHarness
from tests.privacy_helpers import signal

# No name in it: the name guard would not let one through (tests/test_name_guard_bot.py).
FREE_TEXT = "Moeder vertelde over de scheiding; slaapt slecht sinds de zomer"
INVITED_NAME = "Marijke Vermeulen"
TELEGRAM_NAME = "Henkjan"  # a member whose invite had no name: Telegram's first name is kept instead
SECRETS = (FREE_TEXT, "scheiding", INVITED_NAME, TELEGRAM_NAME)
LABEL = "QX 7"  # the pupil label is stored as is (initials + group, by design): it proves the search works


def test_sealed_values_open_with_any_key_and_seal_with_the_newest() -> None:
    old, new = new_key(), new_key()
    sealed_old = FernetCipher([old]).seal("geheim")
    assert "geheim" not in sealed_old
    both = FernetCipher([new, old])
    assert both.open(sealed_old) == "geheim"
    rotated = both.reseal(sealed_old)
    assert FernetCipher([new]).open(rotated) == "geheim"
    with pytest.raises(InvalidToken):
        FernetCipher([old]).open(rotated)
    # Plaintext from before encryption was switched on is read as is, and sealed when re-sealed.
    assert both.open('{"data": {}}') == '{"data": {}}'
    assert FernetCipher([new]).open(both.reseal('{"data": {}}')) == '{"data": {}}'


def test_a_bad_data_key_is_a_one_line_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^ZORGROUTE_DATA_KEY: key #2 is not a Fernet key"):
        load_settings(_env_file=None, data_key=f"{new_key().decode()},not-a-key")


def test_without_a_key_one_is_generated_once_and_private(tmp_path: Path) -> None:
    first = load_data_keys(None, tmp_path / "data")
    assert load_data_keys(None, tmp_path / "data") == first
    assert (tmp_path / "data" / "data.key").stat().st_mode & 0o777 == 0o600


async def _write_secrets(h: BotHarness) -> None:
    school = await h.add_school()
    await h.register(1, "leerkracht", school_id=school, name=INVITED_NAME)
    code = await h.invite(school, "ib")
    await h.send(2, f"/start {code}", first_name=TELEGRAM_NAME)
    await h.invite(school, "gs", name="Onopgeloste Uitnodiging")  # an unused invite keeps its name sealed
    await signal(h, 1, notes=FREE_TEXT)
    # A half-filled form (a draft) holds free text too.
    await h.send(1, "/signaal")
    await h.send(1, "RT 4")
    await h.press(1, "Onderwijs (leren)")
    await h.press(1, "☐ Leerresultaten")
    await h.press(1, "Klaar")
    await h.send(1, FREE_TEXT + " (concept)")


async def test_a_copy_of_the_database_reveals_no_free_text_or_names(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    async with BotHarness(settings, clock=clock) as h:
        await _write_secrets(h)
        assert h.last(1).startswith("<b>Z-0002</b>")  # the draft really is open
        if settings.database_url.startswith("sqlite"):
            found = _search_sqlite_files(settings.database_url, tmp_path / "copy")
        else:
            found = await _search_postgres(h)
        assert set(found) == {LABEL}, f"plaintext in the database: {found}"
        # ... while the bot itself still reads everything back.
        async with h.uow() as uow:
            [case, _draft] = await uow.cases.all()
            assert FREE_TEXT in str(case.data)
            member = await uow.members.by_telegram_id(2)
            assert member is not None and uow.members.name(member) == TELEGRAM_NAME


def _search_sqlite_files(url: str, into: Path) -> list[str]:
    source = Path(url.split("///", 1)[1])
    into.mkdir()
    copies = []
    for suffix in ("", "-wal", "-shm"):  # the WAL holds recent writes not yet checkpointed
        path = Path(str(source) + suffix)
        if path.exists():
            copies.append(Path(shutil.copy(path, into / path.name)))
    assert copies and copies[0].stat().st_size > 0
    blob = b"".join(p.read_bytes() for p in copies)
    return [s for s in (*SECRETS, LABEL) for enc in ("utf-8", "utf-16-le") if s.encode(enc) in blob]


async def _search_postgres(h: BotHarness) -> list[str]:
    found = []
    async with h.uow() as uow:
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns if isinstance(c.type, String | Text | JSON)]
            for column in columns:
                rows = await uow.session.execute(text(f'SELECT CAST("{column}" AS TEXT) FROM "{table.name}"'))
                for (value,) in rows:
                    found += [s for s in (*SECRETS, LABEL) if value and s in value]
    return found


async def test_keys_rotate_reseals_everything_under_the_new_key(
    settings: Settings, clock: FrozenClock
) -> None:
    old = load_data_keys(None, settings.data_dir)[0]
    async with BotHarness(settings, clock=clock) as h:
        await _write_secrets(h)
    new = new_key()
    engine = create_engine(settings.database_url)
    try:
        counts = await reseal_all(make_sessionmaker(engine), FernetCipher([new, old]), batch=1)
        assert counts == {"case_file": 2, "member": 2, "invite": 2}
        only_new = make_sessionmaker(engine, FernetCipher([new]))
        async with UnitOfWork(only_new) as uow:
            [case, _draft] = await uow.cases.all()
            assert FREE_TEXT in str(case.data)
            names = {uow.members.name(m) for m in await uow.members.list()}
            assert names == {INVITED_NAME, TELEGRAM_NAME}
        async with UnitOfWork(make_sessionmaker(engine, FernetCipher([old]))) as uow:
            row = await uow.session.scalar(select(CaseRow))
            assert row is not None
            with pytest.raises(InvalidToken):  # the old key alone opens nothing any more
                FernetCipher([old]).open(row.content)
            member = await uow.session.scalar(select(Member))
            assert member is not None and not member.sealed_name.startswith(INVITED_NAME[:3])
    finally:
        await engine.dispose()
