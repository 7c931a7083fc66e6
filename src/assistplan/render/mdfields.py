"""The Markdown body of one resource: a field table, diffs of long values, function schemas and knowledge files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistplan.render.mdparts import code, escape, fence, table
from assistplan.render.schemadiff import FunctionDiff, SchemaChange, function_diff, functions_diff
from assistplan.render.values import (
    describe_file,
    display_changes,
    inline,
    is_file_digest,
    is_long,
    parse_path,
    unified_diff,
)

CELL_WIDTH = 120
_SYMBOLS = {"added": "+", "removed": "-", "changed": "~"}


def change_body(change: dict[str, Any]) -> str:
    """The body of a planned resource change."""
    fields = display_changes(change)
    before = change["change"]["before"] or {}
    after = change["change"]["after"] or {}
    functions = _function_diffs(fields, before, after, change["name"])
    files = _file_rows(fields, before, after)

    def covered(tokens: list[str | int]) -> bool:
        in_schema = tokens[:1] == ["parameters"] or (tokens[:1] == ["tools"] and "parameters" in tokens)
        return (bool(functions) and in_schema) or (bool(files) and tokens[:1] == ["files"])

    parts = [f"Remote id: {code(change['remote_id'])}"] if change["remote_id"] else []
    parts += _fields(fields, ("Before", "After"), covered)
    if functions:
        parts += ["**Function schemas**", "\n".join(line for diff in functions for line in _function_lines(diff))]
    if files:
        parts += ["**Files**", table(["", "File", "Before", "After"], files)]
    return "\n\n".join(parts)


def drift_body(drift: dict[str, Any]) -> str:
    """The body of an object changed outside assistplan: last applied values against live ones."""
    parts = [f"Remote id: {code(drift['remote_id'])}"] if drift["remote_id"] else []
    if drift["deleted"]:
        parts.append("The remote object was deleted.")
    parts += _fields(drift["field_changes"], ("Last applied", "Live"), lambda tokens: False)
    return "\n\n".join(parts)


def _fields(
    fields: list[dict[str, Any]], labels: tuple[str, str], covered: Callable[[list[str | int]], bool]
) -> list[str]:
    rows: list[list[str]] = []
    diffs: list[str] = []
    for field in fields:
        if covered(parse_path(field["path"])):
            continue
        marker = " **forces replacement**" if field["forces_replace"] else ""
        if _is_block(field):
            title = f"**{code(field['path'])}**{marker}"
            diffs.append(f"{title}\n\n{fence(unified_diff(field['before'], field['after']), 'diff')}")
            continue
        symbol = code(_SYMBOLS[field["change"]], in_table=True)
        old = _cell(field["before"]) if field["change"] != "added" else ""
        new = _cell(field["after"]) if field["change"] != "removed" else ""
        if field.get("sensitive"):
            old, new = (field["before"] or "", field["after"] or "")
            if field["change"] == "changed":
                new = "(sensitive value changed)"
        rows.append([symbol, code(field["path"], in_table=True), old, new + marker])
    return ([table(["", "Field", *labels], rows)] if rows else []) + diffs


def _is_block(field: dict[str, Any]) -> bool:
    return any(is_long(v) or len(inline(v)) > CELL_WIDTH for v in (field["before"], field["after"]))


def _cell(value: Any) -> str:
    if is_file_digest(value):
        return escape(describe_file(value))
    return code(inline(value), in_table=True)


def _function_diffs(
    fields: list[dict[str, Any]], before: dict[str, Any], after: dict[str, Any], name: str
) -> list[FunctionDiff]:
    heads = {tuple(parse_path(f["path"])[:1]) for f in fields}
    out: list[FunctionDiff] = []
    if ("parameters",) in heads:
        diff = function_diff(name, before.get("parameters"), after.get("parameters"))
        out += [diff] if diff else []
    if ("tools",) in heads:
        out += functions_diff(before.get("tools"), after.get("tools"))
    return out


def _function_lines(diff: FunctionDiff) -> list[str]:
    name = code(diff.name)
    if diff.status != "changed":
        props = f" (properties {', '.join(code(p) for p in diff.properties)})" if diff.properties else ""
        return [f"- {name}: function {diff.status}{props}"]
    return [f"- {name}: parameters changed", *(f"  - {_schema_line(c)}" for c in diff.changes)]


def _schema_line(change: SchemaChange) -> str:
    where = f"{code(change.path)}: " if change.path else "parameters: "
    if change.what == "added":
        kind = change.after.get("type") if isinstance(change.after, dict) else None
        return f"{where}property added" + (f" ({_type(kind)})" if kind else "")
    if change.what == "removed":
        return f"{where}property removed"
    if change.what in ("enum", "required"):
        label = "enum values" if change.what == "enum" else "required"
        render: Callable[[Any], str] = (
            (lambda v: code(inline(v))) if change.what == "enum" else (lambda v: code(str(v)))
        )
        moves = [
            f"{verb} {', '.join(render(v) for v in values)}"
            for verb, values in (("added", change.added), ("removed", change.removed))
            if values
        ]
        return f"{where}{label} {'; '.join(moves)}"
    if change.what == "type":
        return f"{where}type {_type(change.before)} → {_type(change.after)}"
    return f"{where}{change.what} {_value(change.before)} → {_value(change.after)}"


def _type(value: Any) -> str:
    """A JSON Schema type: `string`, or `["string", "null"]` for a list."""
    return code(value) if isinstance(value, str) else _value(value)


def _value(value: Any) -> str:
    return "(none)" if value is None else code(inline(value))


def _file_rows(fields: list[dict[str, Any]], before: dict[str, Any], after: dict[str, Any]) -> list[list[str]] | None:
    if not any(parse_path(f["path"])[:1] == ["files"] for f in fields):
        return None
    old, new = before.get("files") or {}, after.get("files") or {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return None
    rows = []
    for path in [*new, *(p for p in old if p not in new)]:
        if old.get(path) == new.get(path):
            continue
        change = "added" if path not in old else "removed" if path not in new else "changed"
        rows.append(
            [
                code(_SYMBOLS[change], in_table=True),
                code(path, in_table=True),
                _cell(old[path]) if path in old else "",
                _cell(new[path]) if path in new else "",
            ]
        )
    return rows
