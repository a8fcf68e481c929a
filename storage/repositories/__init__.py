"""Repositories: read and write through the session they are given; they never commit."""

from storage.repositories.audit import AuditRepository
from storage.repositories.cases import CaseRepository
from storage.repositories.invites import InviteRepository
from storage.repositories.members import MemberRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.schools import SchoolRepository

__all__ = [
    "AuditRepository",
    "CaseRepository",
    "InviteRepository",
    "MemberRepository",
    "OutboxRepository",
    "SchoolRepository",
]
