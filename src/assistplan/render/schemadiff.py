"""Property-level differences between two JSON Schemas, and between the function schemas of two tool lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_WALKED = frozenset({"properties", "items", "required", "type", "enum", "description"})


@dataclass(frozen=True)
class SchemaChange:
    """One difference. `path` names the property (`address.zip`, `lines[].sku`; "" is the schema itself).

    `what` is `added` / `removed` (a property), `type`, `enum`, `required`, `description`, or another keyword's
    name. For `enum` and `required`, `added` and `removed` hold the values that appeared and disappeared.
    """

    path: str
    what: str
    before: Any = None
    after: Any = None
    added: tuple[Any, ...] = ()
    removed: tuple[Any, ...] = ()


@dataclass(frozen=True)
class FunctionDiff:
    """How one function's parameters changed; `status` is `added`, `removed` or `changed`."""

    name: str
    status: str
    changes: tuple[SchemaChange, ...] = ()
    properties: tuple[str, ...] = ()


def schema_diff(before: Any, after: Any, path: str = "") -> list[SchemaChange]:
    """The property-level differences between two JSON Schemas, outermost first."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [] if before == after else [SchemaChange(path, "schema", before, after)]
    out: list[SchemaChange] = []
    if before.get("type") != after.get("type"):
        out.append(SchemaChange(path, "type", before.get("type"), after.get("type")))
    if before.get("description") != after.get("description"):
        out.append(SchemaChange(path, "description", before.get("description"), after.get("description")))
    for keyword in ("enum", "required"):
        old, new = before.get(keyword) or [], after.get(keyword) or []
        if old != new:
            added = tuple(v for v in new if v not in old)
            removed = tuple(v for v in old if v not in new)
            out.append(SchemaChange(path, keyword, old or None, new or None, added, removed))
    for keyword in sorted((set(before) | set(after)) - _WALKED):
        if before.get(keyword) != after.get(keyword):
            out.append(SchemaChange(path, keyword, before.get(keyword), after.get(keyword)))
    out += _properties_diff(before.get("properties") or {}, after.get("properties") or {}, path)
    if before.get("items") != after.get("items"):
        out += schema_diff(before.get("items"), after.get("items"), f"{path}[]")
    return out


def _properties_diff(before: dict[str, Any], after: dict[str, Any], path: str) -> list[SchemaChange]:
    out: list[SchemaChange] = []
    for name in [*after, *(n for n in before if n not in after)]:
        child = f"{path}.{name}" if path else name
        if name not in before:
            out.append(SchemaChange(child, "added", None, after[name]))
        elif name not in after:
            out.append(SchemaChange(child, "removed", before[name], None))
        else:
            out += schema_diff(before[name], after[name], child)
    return out


def function_schemas(tools: Any) -> dict[str, Any]:
    """Function name -> parameters schema for the function tools of a tool list (flat or `function: {...}`)."""
    out: dict[str, Any] = {}
    if not isinstance(tools, list):
        return out
    for tool in tools:
        if not isinstance(tool, dict):
            continue
        function = tool.get("function")
        inner: dict[str, Any] = function if isinstance(function, dict) else tool
        name = inner.get("name")
        if isinstance(name, str) and "parameters" in inner:
            out[name] = inner["parameters"]
    return out


def functions_diff(before_tools: Any, after_tools: Any) -> list[FunctionDiff]:
    """The functions whose parameters were added, removed or changed between two tool lists, matched by name."""
    before, after = function_schemas(before_tools), function_schemas(after_tools)
    names = [*after, *(n for n in before if n not in after)]
    diffs = (function_diff(name, before.get(name), after.get(name)) for name in names)
    return [d for d in diffs if d is not None]


def function_diff(name: str, before: Any, after: Any) -> FunctionDiff | None:
    """How one function's parameters schema changed (None for absent), or None when it did not."""
    if before == after:
        return None
    if before is None:
        return FunctionDiff(name, "added", properties=_property_names(after))
    if after is None:
        return FunctionDiff(name, "removed", properties=_property_names(before))
    return FunctionDiff(name, "changed", tuple(schema_diff(before, after)))


def _property_names(schema: Any) -> tuple[str, ...]:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return tuple(properties) if isinstance(properties, dict) else ()
