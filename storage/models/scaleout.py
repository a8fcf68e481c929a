"""What several workers on one database share: the updates already handled, the runs of jobs that must
happen once, and the token buckets of limits that hold for the whole bot (docs/deployment.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class ProcessedUpdate(Base):
    """A Telegram update whose unit of work committed. Inserted in that same transaction, so a worker
    killed mid-update leaves no row and Telegram's retry is handled; a second delivery finds the row and
    is dropped. Pruned by retention (Telegram keeps undelivered updates for a day).

    `replies` are the update's replies (Bot API calls as JSON), committed with it: a worker killed after
    the commit and before its replies left has them sent by whichever worker gets the update again."""

    __tablename__ = "processed_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class JobRun(Base):
    """One run of a job that must happen once per period (a school's weekly digest, the nightly
    retention), claimed by the first worker to insert it. done_at stays empty while it runs; a claim
    whose worker died is taken over after a lease (storage/repositories/job_runs.py)."""

    __tablename__ = "job_run"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RateBucket(Base):
    """A token bucket shared by every worker (the per-user abuse limit, Telegram's send budget). `at` is
    the database server's clock in epoch seconds, so workers on machines whose clocks differ agree.
    Unlogged on PostgreSQL (migration 0012): a take commits without waiting for the disk, and a crash
    empties the table, which leaves every bucket full."""

    __tablename__ = "rate_bucket"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)
