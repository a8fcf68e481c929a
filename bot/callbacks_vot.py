"""Typed button data for VOT meetings (/vot, /vot plan, invitations): one class per action, answers as
enums, so a button says what it does and aiogram checks its 64 bytes. Every press is checked again
(bot/services/meetings.py: the planner policy, the meeting's status, the dialogue's current state)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Rsvp(StrEnum):
    """An answer to an invitation, stored as its value."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class RsvpCb(CallbackData, prefix="vr"):
    """Answer the invitation to `meeting`."""

    meeting: int
    answer: Rsvp


class LegacyRsvpCb(CallbackData, prefix="v"):
    """The answer buttons of invitations sent before RsvpCb ("v:rsvp:<meeting>:<answer>"). Invitations go
    out weeks ahead, so they are still pressed after the upgrade; remove this once every meeting planned
    before it has passed. (Other old VOT buttons sat on short-lived messages: they answer as stale.)"""

    op: str
    m: int
    v: Rsvp

    def typed(self) -> RsvpCb:
        return RsvpCb(meeting=self.m, answer=self.v)


class MoveMeetingCb(CallbackData, prefix="vmv"):
    """The planner moves `meeting` (asks a new date and time)."""

    meeting: int


class CancelMeetingCb(CallbackData, prefix="vcx"):
    """The planner calls `meeting` off."""

    meeting: int


class PlanSchoolCb(CallbackData, prefix="vps"):
    """/vot plan at `school` (planners at several schools pick one)."""

    school: int


class PlanDurationCb(CallbackData, prefix="vpd"):
    """The new meeting lasts `minutes`."""

    minutes: int


class AgendaAllCb(CallbackData, prefix="vpa"):
    """Put every case on the school's VOT list on the agenda, and go on."""


class AgendaPickCb(CallbackData, prefix="vpp"):
    """Put case #`index` of the VOT list on the agenda, or take it off."""

    index: int


class AgendaDoneCb(CallbackData, prefix="vpk"):
    """The agenda is complete."""


class PlanSendCb(CallbackData, prefix="vpy"):
    """Send the invitations."""


class PlanDropCb(CallbackData, prefix="vpn"):
    """Drop the plan."""


# The buttons of the planning dialogue: pressed outside their state, they are answered as stale.
PLANNING = (PlanDurationCb, AgendaAllCb, AgendaPickCb, AgendaDoneCb, PlanSendCb, PlanDropCb)
