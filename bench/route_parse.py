"""Parse every shipped route and calendar file from text, as a process does once at start
(flows/registry.py, flows/calendar/loader.py): YAML, validation by the schema models, building the
engine's objects and the cross-reference checks. Five runs; wall time (perf_counter) and CPU time.

    python bench/route_parse.py        # prints lines, then {"routes_ms": …, "calendars_ms": …} (medians)
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from flows.calendar.loader import _default_directory, _load, available_regions
from flows.loader import builtin_route_files, parse_route

RUNS = 5


def routes() -> None:
    for name, text in sorted(builtin_route_files().items()):
        parse_route(text, name)


def calendars() -> None:
    folder = _default_directory()
    for region in available_regions():
        _load(region, "Europe/Amsterdam", folder)  # not the cached load_calendar: every file, every run


def measure(work: Callable[[], None]) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def _ms(values: list[float]) -> str:
    return " ".join(f"{v:.1f}" for v in values) + " ms"


def main() -> None:
    result = {}
    for name, work in (("routes", routes), ("calendars", calendars)):
        wall, cpu = measure(work)
        print(f"{name}: wall {_ms(wall)}; cpu {_ms(cpu)}")
        result[f"{name}_ms"] = round(statistics.median(wall), 1)
        result[f"{name}_min_ms"] = round(min(wall), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
