"""A Function's JSON Schema as Flowise tool `schema` rows, and back.

A Flowise custom tool declares its arguments as rows `{property, type, description, required}` with the types
`string`, `number`, `boolean` and `date` (Flowise turns them into a flat zod object). So only a flat object schema
can become rows: every property a `type` of string, number or boolean (or a string of format date-time, the row
type `date`) with an optional `description`. `row_problems` names everything else, for `validate`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

ROW_TYPES = ("string", "number", "boolean", "date")
ROOT_KEYS = frozenset({"type", "properties", "required", "additionalProperties", "title", "$schema", "$comment"})
PROPERTY_KEYS = frozenset({"type", "description", "format", "title", "$comment"})
DATE_FORMAT = "date-time"
WHAT_ROWS_HOLD = "a Flowise schema row has only a name, a type, a description and whether it is required"

Problem = tuple[str, tuple[str | int, ...]]
"""A message and the path of the offending value inside the schema."""


def row_problems(schema: Any) -> list[Problem]:
    """What in a JSON Schema cannot be written as Flowise schema rows (empty when all of it can)."""
    if not isinstance(schema, Mapping):
        return [("a Flowise tool's schema must be an object schema", ())]
    problems: list[Problem] = []
    for key in schema:
        if key not in ROOT_KEYS:
            problems.append((f"{key!r} cannot be expressed: {WHAT_ROWS_HOLD}", (key,)))
    if schema.get("type", "object") != "object":
        problems.append(('a Flowise tool\'s schema must have "type": "object"', ("type",)))
    if schema.get("additionalProperties", False) is not False:
        problems.append(("only additionalProperties: false can be expressed (rows accept nothing else)", ()))
    properties = schema.get("properties") or {}
    if not isinstance(properties, Mapping):
        return [*problems, ("properties must be a mapping", ("properties",))]
    for name, prop in properties.items():
        problems.extend((message, ("properties", name, *path)) for message, path in _property_problems(prop))
    return problems


def _property_problems(prop: Any) -> list[Problem]:
    if not isinstance(prop, Mapping):
        return [("must be a mapping with a type", ())]
    problems: list[Problem] = [
        (f"{key!r} cannot be expressed: {WHAT_ROWS_HOLD}", (key,)) for key in prop if key not in PROPERTY_KEYS
    ]
    kind = prop.get("type")
    if kind not in ("string", "number", "boolean"):
        hint = ' (write "number")' if kind == "integer" else ""
        message = f"type {json.dumps(kind)} cannot be a row: rows are string, number or boolean{hint}"
        problems.append((message, ("type",)))
    if "format" in prop and (kind != "string" or prop["format"] != DATE_FORMAT):
        message = f'only a string of format "{DATE_FORMAT}" (the row type date) can carry a format'
        problems.append((message, ("format",)))
    return problems


def rows_from_schema(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of a schema `row_problems` accepts, in property order."""
    required = set(schema.get("required") or [])
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        kind = "date" if prop.get("format") == DATE_FORMAT else prop["type"]
        rows.append(
            {"property": name, "type": kind, "description": prop.get("description", ""), "required": name in required}
        )
    return rows


def schema_from_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON Schema that `rows_from_schema` turns back into `rows`; ValueError for a row it cannot come from."""
    properties: dict[str, Any] = {}
    required = []
    for index, row in enumerate(rows):
        name, kind = row.get("property"), row.get("type")
        if not isinstance(name, str) or not name or kind not in ROW_TYPES:
            raise ValueError(f"has a row {index} ({json.dumps(dict(row))}) that is not a Flowise schema row")
        prop: dict[str, Any] = {"type": "string", "format": DATE_FORMAT} if kind == "date" else {"type": kind}
        if row.get("description"):
            prop["description"] = row["description"]
        properties[name] = prop
        if row.get("required"):
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def payload_rows(rows: list[Mapping[str, Any]]) -> str:
    """Rows as Flowise stores them: a JSON string, each row with the grid id the Flowise editor gives it."""
    return json.dumps([{"id": index, **row} for index, row in enumerate(rows)], ensure_ascii=False)


def normalize_rows(stored: Any) -> Any:
    """A stored `schema` as rows without ids; a value that is not a JSON list of rows is kept as it is, to show up in
    a diff."""
    try:
        parsed = json.loads(stored) if isinstance(stored, str) else stored
    except ValueError:
        return stored
    if not isinstance(parsed, list) or not all(isinstance(row, dict) for row in parsed):
        return stored
    return [
        {
            "property": row.get("property"),
            "type": row.get("type"),
            "description": row.get("description") or "",
            "required": bool(row.get("required")),
        }
        for row in parsed
    ]
