"""The published JSON Schemas of the files a region edits, generated from the pydantic models:
`python -m flows.schemas` (or `make schemas`) rewrites them in docs/, and tests/flows/test_file_schemas.py
fails while a committed one differs from what the models say (`--update-golden` rewrites them too).

Each route and calendar file names its schema on its first line, for editors with the YAML language
server (VS Code's YAML extension, JetBrains, Neovim): `# yaml-language-server: $schema=../../docs/…`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flows.calendar.schema import calendar_schema
from flows.route_schema import route_schema

DOCS = Path(__file__).resolve().parent.parent / "docs"

# file in docs/ → its text
SCHEMAS: dict[str, Callable[[], str]] = {
    "route.schema.json": route_schema,
    "calendar.schema.json": calendar_schema,
}

# the folder of shipped files → the schema they name on their first line
SHIPPED: dict[str, str] = {"routes": "route.schema.json", "calendars": "calendar.schema.json"}


def schema_line(schema_file: str) -> str:
    """The first line of a shipped file: relative to flows/<folder>/, where the files live."""
    return f"# yaml-language-server: $schema=../../docs/{schema_file}"


def write_schemas(folder: Path = DOCS) -> list[Path]:
    written = []
    for name, make in SCHEMAS.items():
        path = folder / name
        path.write_text(make(), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas():
        print(path)
