"""Repositories: read and write through the session they are given; they never commit."""

from storage.repositories.invites import InviteRepository
from storage.repositories.members import MemberRepository
from storage.repositories.schools import SchoolRepository

__all__ = ["InviteRepository", "MemberRepository", "SchoolRepository"]
