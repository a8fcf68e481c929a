"""How long a command that never talks to Telegram takes, start to exit: `zorgroute member list` on a
migrated, empty SQLite database, against a bare `python -c pass` (the interpreter's own start), runs
interleaved so both see the same load. Wall time (perf_counter around the process) and the children's
CPU time. Target (issue 13): `member list` <= 1.5 s wall.

    python bench/cli_start.py [--runs 9] [--compile] [--baseline DIR]
    # prints a line per run, then {"member_list_s": …, "python_pass_s": …, …} (medians)

Measure with the project's bytecode in place: PYTHONDONTWRITEBYTECODE is set on this machine, so a
process would otherwise compile bot/, flows/, storage/ on every start. `--compile` writes it first
(__pycache__ is git-ignored).

`--baseline DIR` also times another revision's code on the same installed libraries, interleaved with
this one (PYTHONPATH=DIR wins over the editable install), for before/after figures under one load:

    git archive main | tar -x -C /tmp/base && python bench/cli_start.py --compile --baseline /tmp/base
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "storage", "emulator")


def _zorgroute() -> list[str]:
    script = Path(sys.executable).with_name("zorgroute")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    cpu0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, _children_cpu() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--compile", action="store_true", help="write the project's bytecode first")
    parser.add_argument("--baseline", type=Path, default=None, help="a source tree to time alongside")
    args = parser.parse_args()
    if args.compile:
        for root in (ROOT, args.baseline) if args.baseline else (ROOT,):
            for package in PACKAGES:
                compileall.compile_dir(root / package, quiet=1)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cli-start-") as folder:
        here = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZORGROUTE_", "TELEGRAM_"))}
        env.update(
            ZORGROUTE_DATABASE_URL=f"sqlite+aiosqlite:///{here}/bench.db",
            ZORGROUTE_SECRET_KEY="bench",
            ZORGROUTE_DATA_DIR=str(here),
        )
        variants = {"member_list": env}
        if args.baseline:
            variants["baseline"] = {**env, "PYTHONPATH": str(args.baseline.resolve())}
        cli = _zorgroute()
        # Migrated once, untimed: the figure is a command on an installation that is up to date.
        subprocess.run([*cli, "db", "upgrade"], env=env, cwd=here, check=True, stdout=subprocess.DEVNULL)
        command, bare = [*cli, "member", "list"], [sys.executable, "-c", "pass"]
        for variant_env in variants.values():
            _timed(command, variant_env, here)  # warm the page cache; not counted
        walls: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        bare_walls = []
        for run in range(args.runs):
            bare_walls.append(_timed(bare, env, here)[0])
            # Alternate which goes first, so neither always runs right after the bare interpreter.
            order = list(variants) if run % 2 == 0 else list(reversed(variants))
            for name in order:
                wall, cpu = _timed(command, variants[name], here)
                walls[name].append(wall)
                cpus[name].append(cpu)
            timed = "; ".join(
                f"{name} {walls[name][-1]:.3f} s wall, {cpus[name][-1]:.3f} s CPU" for name in variants
            )
            print(f"run {run + 1}: {timed}; python -c pass {bare_walls[-1]:.3f} s")
    result: dict[str, float] = {"runs": args.runs}
    for name in variants:
        result[f"{name}_s"] = round(statistics.median(walls[name]), 3)
        result[f"{name}_min_s"] = round(min(walls[name]), 3)
        result[f"{name}_cpu_s"] = round(statistics.median(cpus[name]), 3)
    result["python_pass_s"] = round(statistics.median(bare_walls), 3)
    result["load_average"] = round((load_before + os.getloadavg()[0]) / 2, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
