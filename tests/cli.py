"""The admin's command line, run in-process: `main(argv, clock=…)` as the console script calls it, with
the environment and working folder a fresh shell would give it, and the test's clock injected.

Each command does its own `asyncio.run`, so it runs on a worker thread beside the test's event loop.
The environment, working folder and standard streams are process-wide: tests in one process run one at
a time (pytest-xdist gives each worker its own process), so swapping them for the call is safe.
`tests/test_cli.py::test_console_script_starts` keeps one real subprocess to prove the script starts.

A command that runs until it is stopped (`demo`) runs on the main thread instead
(`zorgroute_until_interrupted`), where it takes SIGINT as it takes Ctrl-C in a terminal."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.cli import main
from flows.clock import Clock


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


async def zorgroute(
    *args: str, database_url: str, cwd: Path, clock: Clock, stdin: str = "", **env: str
) -> CliResult:
    """`zorgroute ARGS…` against `database_url`, as if run in `cwd` (its data/ holds the data key)."""
    environment = _environment(database_url, env)
    return await asyncio.to_thread(_call, list(args), environment, cwd, clock, stdin)


def zorgroute_until_interrupted(
    *args: str, database_url: str, cwd: Path, clock: Clock, until: Callable[[], None], **env: str
) -> CliResult:
    """`zorgroute ARGS…` for a command that runs until Ctrl-C: on this (the main) thread, while `until`
    runs on a helper thread (waiting for the command to be up, looking at it); then SIGINT, as a person
    at the terminal would. An exception in `until` is raised here after the command stopped."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("only the main thread receives SIGINT")
    environment = _environment(database_url, env)
    failed: list[BaseException] = []

    def watch() -> None:
        try:
            until()
        except BaseException as exc:  # handed to the test after the command stopped
            failed.append(exc)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    watcher = threading.Thread(target=watch, name="until", daemon=True)
    watcher.start()
    result = _call(list(args), environment, cwd, clock, "")
    watcher.join()
    if failed:
        raise failed[0]
    return result


def _environment(database_url: str, env: dict[str, str]) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("ZORGROUTE_", "TELEGRAM_"))
    }
    environment.update(ZORGROUTE_DATABASE_URL=database_url, ZORGROUTE_SECRET_KEY="test-secret-key", **env)
    return environment


def _call(argv: list[str], environment: dict[str, str], cwd: Path, clock: Clock, stdin: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    with (
        _process_state(environment, cwd, stdin),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(argv, clock=clock)
        except SystemExit as exit_:  # argparse: usage errors and --help
            code = exit_.code if isinstance(exit_.code, int) else 2
    return CliResult(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _process_state(environment: dict[str, str], cwd: Path, stdin: str) -> Iterator[None]:
    saved_env, saved_cwd, saved_stdin = dict(os.environ), Path.cwd(), sys.stdin
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(cwd)
    sys.stdin = io.StringIO(stdin)
    try:
        yield
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
