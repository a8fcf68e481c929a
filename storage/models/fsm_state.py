from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class FsmStateRow(Base):
    """Where one user is in a dialogue (aiogram's FSM: a state and its data), kept in the database so a
    restart or another worker carries on where the last update left off (bot/fsm.py).

    The data holds ids and choices only (a case reference, a date, minutes): what people write goes to the
    engine's sealed draft or to their preferences, never here."""

    __tablename__ = "fsm_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # chat, user, thread, destiny
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)  # offboarding forgets all of a user's
    state: Mapped[str | None] = mapped_column(String(200), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
