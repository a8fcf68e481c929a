"""What a process built at start-up is frozen out of the garbage collector's full passes (bot/heap.py)."""

from __future__ import annotations

import gc
import weakref

from bot.heap import YOUNG_COLLECTION, freeze_startup_heap


def test_what_start_up_built_is_frozen_and_its_garbage_collected_first() -> None:
    class Part:
        cycle: object = None

    kept = Part()
    garbage = Part()
    garbage.cycle = garbage  # a cycle: only the collector frees it
    gone = weakref.ref(garbage)
    del garbage
    # Not unfrozen afterwards: a worker that loaded deduce froze its millions too (the name guard), and
    # unfreezing would hand them back to every later full collection of this test process.
    freeze_startup_heap()
    assert gone() is None  # collected before the freeze, not kept forever
    assert gc.get_freeze_count() > 0
    assert all(o is not kept for o in gc.get_objects())  # frozen: no full collection walks it again
    assert gc.get_threshold()[0] == YOUNG_COLLECTION  # the young collected less often than CPython's 700


def test_garbage_in_a_cycle_is_still_collected_after_start_up() -> None:
    freeze_startup_heap()

    class Part:
        cycle: object = None

    refs = []
    for _ in range(YOUNG_COLLECTION):  # enough allocations for a young collection to come by itself
        garbage = Part()
        garbage.cycle = garbage
        refs.append(weakref.ref(garbage))
        del garbage
    assert any(ref() is None for ref in refs)  # a young collection came, and freed cycles
