"""The built wheel holds every file the installed bot and demo need: the code, the emulator's page, the
compiled catalogs, the routes, the school calendars and the migrations. setuptools ships only the data
files pyproject lists, and a forgotten pattern (the page, until issue 19) shows only once someone installs
the wheel and the page answers 404."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "storage", "locales", "emulator")
# Documentation beside the code, for people reading the source; the installed program never opens it.
NOT_SHIPPED = {"bot/channels/README.md", "emulator/README.md"}


def test_the_wheel_holds_every_file_of_the_packages(tmp_path: Path) -> None:
    files = _package_files()
    source = tmp_path / "source"
    for name in [*files, "pyproject.toml", "README.md"]:  # a clean copy: no build/ or egg-info in the tree
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)

    # Offline: the venv's setuptools builds it (the dev extras bring one with bdist_wheel built in).
    offline = ["--no-deps", "--no-build-isolation", "--no-index"]
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", *offline, "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    if "invalid command 'bdist_wheel'" in build.stdout + build.stderr:
        pytest.skip("this venv's setuptools cannot build wheels: pip install 'setuptools>=70.1' (in .[dev])")
    assert build.returncode == 0, build.stderr

    [wheel] = (tmp_path / "dist").glob("zorgroute-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    assert sorted(set(files) - NOT_SHIPPED - shipped) == []
    assert {"emulator/web/index.html", "emulator/web/app.js", "emulator/web/app.css"} <= shipped
    assert {"locales/nl/LC_MESSAGES/messages.mo", "locales/en/LC_MESSAGES/messages.mo"} <= shipped
    assert not [name for name in shipped if name.startswith(("tests/", "bench/", "docs/"))]


def _package_files() -> list[str]:
    """The packages' files as git knows them (untracked leftovers are not the project's); a walk of the
    folders when this is not a git checkout."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", *PACKAGES], cwd=ROOT, capture_output=True, check=True, timeout=30
        )
        names = [name for name in listed.stdout.decode().split("\0") if name]
        return [name for name in names if (ROOT / name).is_file()]  # a deletion not yet committed
    return sorted(
        str(path.relative_to(ROOT)).replace(os.sep, "/")
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
