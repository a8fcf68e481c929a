"""Repositories: read and write through the session they are given; they never commit."""

from storage.repositories.audit import AuditRepository
from storage.repositories.cases import CaseRepository
from storage.repositories.follow_ups import FollowUpRepository
from storage.repositories.fsm_states import FsmStateRepository
from storage.repositories.invites import InviteRepository
from storage.repositories.meetings import MeetingRepository
from storage.repositories.members import MemberRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.preferences import PreferenceRepository
from storage.repositories.report import ReportRepository
from storage.repositories.schools import SchoolRepository

__all__ = [
    "AuditRepository",
    "CaseRepository",
    "FollowUpRepository",
    "FsmStateRepository",
    "InviteRepository",
    "MeetingRepository",
    "MemberRepository",
    "OutboxRepository",
    "PreferenceRepository",
    "ReportRepository",
    "SchoolRepository",
]
