"""ORM models, one module per aggregate. Importing this package registers them all on Base.metadata."""

from storage.models.audit import AuditRow
from storage.models.case import CaseRow, FirstMoveRow, ParticipantRow, PupilRow, RouteVersionRow, TimelineRow
from storage.models.follow_up import FollowUpRow
from storage.models.fsm_state import FsmStateRow
from storage.models.invite import Invite, InviteAttempt
from storage.models.meeting import VotMeeting, VotResponse
from storage.models.member import Member, MemberRole
from storage.models.outbox import OutboxRow
from storage.models.preference import NotificationPref
from storage.models.scaleout import JobRun, ProcessedUpdate, RateBucket
from storage.models.school import School

__all__ = [
    "AuditRow",
    "CaseRow",
    "FirstMoveRow",
    "FollowUpRow",
    "FsmStateRow",
    "Invite",
    "InviteAttempt",
    "JobRun",
    "Member",
    "MemberRole",
    "NotificationPref",
    "OutboxRow",
    "ParticipantRow",
    "ProcessedUpdate",
    "PupilRow",
    "RateBucket",
    "RouteVersionRow",
    "School",
    "TimelineRow",
    "VotMeeting",
    "VotResponse",
]
