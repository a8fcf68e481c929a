"""Re-sealing every sealed column under the newest data key (`zorgroute keys rotate`).

In batches, one transaction per batch: a long rotation never holds one huge transaction, and an
interrupted one can simply be run again (every value opens with any configured key meanwhile).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from storage.crypto import FernetCipher
from storage.models import CaseRow, Invite, Member

# Every column the repositories seal. A new sealed column belongs here (tests/test_encryption.py checks
# that a copy of the database shows no plaintext).
SEALED: tuple[tuple[Any, InstrumentedAttribute[Any]], ...] = (
    (CaseRow, CaseRow.content),
    (Member, Member.sealed_name),
    (Invite, Invite.sealed_name),
)


async def reseal_all(
    sessionmaker: async_sessionmaker[AsyncSession], cipher: FernetCipher, *, batch: int = 200
) -> dict[str, int]:
    """Returns how many values were re-sealed per table."""
    done: dict[str, int] = {}
    for model, column in SEALED:
        count, last_id = 0, 0
        while True:
            async with sessionmaker() as session, session.begin():
                rows = list(
                    await session.scalars(
                        select(model).where(model.id > last_id).order_by(model.id).limit(batch)
                    )
                )
                for row in rows:
                    value = getattr(row, column.key)
                    if value is not None:
                        setattr(row, column.key, cipher.reseal(value))
                        count += 1
            if not rows:
                break
            last_id = rows[-1].id
        done[model.__tablename__] = count
    return done
