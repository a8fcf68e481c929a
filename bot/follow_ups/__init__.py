"""Follow-ups at the edge: deadlines resolved on the school's calendar, fired by a claiming runner,
postponed from a reminder, listed in /agenda and counted in the weekly VOT digest.

The follow_up table is the source of truth; APScheduler (bot/scheduler.py) only says "claim now"."""
