"""A long-running process keeps what it built at start-up out of the garbage collector's full passes.

Starting the bot builds about 250,000 objects that live as long as the process: aiogram's types and their
pydantic schemas, SQLAlchemy's mappers and compiled statements, the routes, the catalogs. CPython's cyclic
collector walks all of them in every full (oldest-generation) collection: 0.2 s each on this machine, a
pause of the event loop, twice in six seconds of a /signaal load (5 % of the bot's CPU; bench/README.md).
Frozen (`gc.freeze`, CPython's own mechanism for this), they are left alone; reference counting still frees
whatever is let go later, and only a cycle among them would stay. The name guard freezes again once deduce
has loaded its millions (bot/services/name_guard.py).

The youngest generation is then collected every 10,000 net allocations instead of CPython's 700. Each
young collection walks what is alive of the updates in flight (a few thousand objects with a hundred
updates at once), and with the default it ran after every other update: under a /signaal load 4 % of
the bot's CPU, and what it promoted made the older generations' passes come sooner too. At 10,000 that
load ran 5–15 % faster (bench/README.md); garbage in a cycle waits a little longer, a few MB at most.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION = 10_000  # net allocations between collections of the youngest generation (CPython: 700)


def freeze_startup_heap() -> None:
    """Collect what start-up left as garbage, then freeze the rest, and collect the young less often. Call
    once the process is built, before it serves (bot/runner.py)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION, middle, old)
