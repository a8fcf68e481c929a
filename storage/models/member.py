from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import SEALED_NAME, Base, UTCDateTime


class Member(Base):
    """A registered professional. Exists only after redeeming an invite."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # Sealed by the cipher (MemberRepository.name() opens it); named so that nobody shows it by mistake.
    sealed_name: Mapped[str] = mapped_column("display_name", SEALED_NAME)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    roles: Mapped[list[MemberRole]] = relationship(
        back_populates="member", lazy="selectin", cascade="all, delete-orphan", order_by="MemberRole.id"
    )


class MemberRole(Base):
    """One role of a member at one school; a member can hold several, at several schools."""

    __tablename__ = "member_role"
    __table_args__ = (UniqueConstraint("member_id", "school_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))

    member: Mapped[Member] = relationship(back_populates="roles")
