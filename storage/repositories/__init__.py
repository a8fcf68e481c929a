"""Repositories: read and write through the session they are given; they never commit.

Not here: `storage.repositories.report.ReportRepository`. It pulls the route report and the school
calendars (flows.report, holidays), which only the report needs; importing it with the others would load
them into every command and every process (`UnitOfWork.report` imports it on first use)."""

from storage.repositories.audit import AuditRepository
from storage.repositories.cases import CaseRepository
from storage.repositories.follow_ups import FollowUpRepository
from storage.repositories.fsm_states import FsmStateRepository
from storage.repositories.invites import InviteRepository
from storage.repositories.job_runs import JobRunRepository
from storage.repositories.meetings import MeetingRepository
from storage.repositories.members import MemberRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.preferences import PreferenceRepository
from storage.repositories.schools import SchoolRepository

__all__ = [
    "AuditRepository",
    "CaseRepository",
    "FollowUpRepository",
    "FsmStateRepository",
    "InviteRepository",
    "JobRunRepository",
    "MeetingRepository",
    "MemberRepository",
    "OutboxRepository",
    "PreferenceRepository",
    "SchoolRepository",
]
