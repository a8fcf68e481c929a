"""The published JSON Schemas of the files a region edits, generated from the pydantic models:
`python -m flows.schemas` (or `make schemas`) rewrites them in docs/, and tests/flows/test_file_schemas.py
fails while a committed one differs from what the models say (`--update-golden` rewrites them too).

Each route and calendar file names its schema on its first line, for editors with the YAML language
server (VS Code's YAML extension, JetBrains, Neovim): `# yaml-language-server: $schema=../../docs/…`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from flows.calendar.schema import CalendarFile
from flows.route_schema import RouteFile

DOCS = Path(__file__).resolve().parent.parent / "docs"  # of a checkout: the schemas are not package data

# file in docs/ → (the model of a file, its title)
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "route.schema.json": (RouteFile, "Zorgroute route file"),
    "calendar.schema.json": (CalendarFile, "Zorgroute school calendar file"),
}

# the folder of shipped files → the schema they name on their first line
SHIPPED: dict[str, str] = {"routes": "route.schema.json", "calendars": "calendar.schema.json"}


def schema_line(schema_file: str) -> str:
    """The first line of a shipped file: relative to flows/<folder>/, where the files live."""
    return f"# yaml-language-server: $schema=../../docs/{schema_file}"


class _KeysChecked(GenerateJsonSchema):
    """A mapping with constrained keys (step ids → steps) comes out of pydantic as `patternProperties`,
    which lets a key that does not match through unchecked. Say instead that every key must match."""

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        out = super().dict_schema(schema)
        patterns = out.pop("patternProperties", None)
        if patterns:
            ((pattern, values),) = patterns.items()
            out["propertyNames"] = {"pattern": pattern}
            out["additionalProperties"] = values
        return out


def schema_text(name: str) -> str:
    """The published JSON Schema `name` (a file in docs/), as committed."""
    model, title = SCHEMAS[name]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Generated from the models in flows/ by `python -m flows.schemas`; do not edit by hand.",
        **model.model_json_schema(by_alias=True, schema_generator=_KeysChecked),
        "title": title,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path = DOCS) -> list[Path]:
    for name in SCHEMAS:
        (folder / name).write_text(schema_text(name), encoding="utf-8")
    return [folder / name for name in SCHEMAS]


if __name__ == "__main__":
    for path in write_schemas():
        print(path)
