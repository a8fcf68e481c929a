"""ORM models, one module per aggregate. Importing this package registers them all on Base.metadata."""

from storage.models.invite import Invite, InviteAttempt
from storage.models.member import Member, MemberRole
from storage.models.school import School

__all__ = ["Invite", "InviteAttempt", "Member", "MemberRole", "School"]
