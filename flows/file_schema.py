"""What the route and calendar file models share: a strict base model, the YAML shorthand "one item or a
list", and the turn of pydantic's ValidationError into a place in the file and a problem in words.
(Publishing the models as JSON Schema is flows/schemas.py.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails, core_schema

Loc = tuple[int | str, ...]


class FileModel(BaseModel):
    """A mapping in a YAML file: unknown keys are refused (a typo must not silently do nothing). Enum
    values are kept as their plain strings (the engine's types hold strings)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class OneOrMany:
    """`Annotated[tuple[X, ...], OneOrMany()]`: the file may say `x` or `[x, y]`; the model always holds
    a tuple. The published schema allows both forms."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(_as_list, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        many = handler(schema)
        return {"anyOf": [many["items"], many]}


def _as_list(value: Any) -> Any:
    return value if isinstance(value, list) else [value]


def first_problem(
    exc: ValidationError,
    model: type[BaseModel],
    messages: dict[str, str],
) -> tuple[Loc, str]:
    """The first error as (location of the offending mapping or value, problem in words). `messages`
    words a failed pattern (keyed by the pattern) or an error type ("enum", a custom type) better than
    pydantic does; "{given}" in a message is replaced by the offending value."""
    errors = exc.errors(include_url=False)
    error = errors[0]
    loc = _clean_loc(error["loc"])
    if error["type"] == "missing":
        # A misspelt key is both unknown and missing: name the misspelling.
        error = next(
            (e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == error["loc"][:-1]),
            error,
        )
        loc = _clean_loc(error["loc"])
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(allowed_keys(model, loc[:-1]))
        return loc[:-1], f"unknown key {loc[-1]!r}; allowed: {allowed}{tail}"
    if error["type"] == "missing":
        return loc[:-1], f"missing key {loc[-1]!r}{tail}"
    return loc, _problem(error, messages) + tail


def _problem(error: ErrorDetails, messages: dict[str, str]) -> str:
    ctx = error.get("ctx") or {}
    given = error["input"]
    if error["type"] == "string_pattern_mismatch" and ctx.get("pattern") in messages:
        return f"{given!r} {messages[ctx['pattern']]}"
    if error["type"] == "value_error":
        return str(ctx.get("error", error["msg"]))
    message = messages.get(error["type"], error["msg"][0].lower() + error["msg"][1:])
    if "{given}" in message:
        return message.replace("{given}", repr(given))
    if isinstance(given, dict | list):
        return message
    return f"{message}, got {given!r}"


def _clean_loc(loc: Loc) -> Loc:
    """pydantic puts a tagged union's tag in the location ("effects", 0, "notify", "notify", …) and marks a
    bad mapping key with "[key]"; a person editing the file sees neither."""
    out: list[int | str] = []
    for part in loc:
        if part == "[key]" or (out and part == out[-1] and isinstance(part, str)):
            continue
        out.append(part)
    return tuple(out)


def dotted(loc: Loc) -> str:
    """("steps", "signaal", "fields", 0, "kind") → "steps.signaal.fields[0].kind"."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def allowed_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys the mapping at `loc` may have, found by following `loc` through the model's fields."""
    current: type[BaseModel] | None = model
    for i, part in enumerate(loc):
        if current is None:
            return []
        field = current.model_fields.get(str(part)) if isinstance(part, str) else None
        if field is None:
            continue  # a list index, a mapping key or a union's tag: the same model one level down
        current = _model_in(field.annotation, loc[i + 1 :])
    if current is None:
        return []
    return sorted(f.alias or name for name, f in current.model_fields.items())


def _model_in(annotation: Any, rest: Sequence[int | str]) -> type[BaseModel] | None:
    found = _models(annotation)
    if len(found) > 1:  # a union of one-key mappings (effects): the key that follows names the member
        named = [m for m in found if any(k in m.model_fields for k in rest if isinstance(k, str))]
        found = named or found
    return found[0] if found else None


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]
