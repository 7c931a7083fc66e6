"""JSON Schema checks: validity against the JSON Schema meta-schema, and OpenAI's strict-mode rules.

Each problem is one diagnostic naming its JSON path (`parameters.properties.limit: not listed in "required"`) and
pointing at the line where that part of the schema was written (inline in a manifest, or in a `*_file`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistplan.diagnostics import Diagnostic, SourceRange, did_you_mean
from assistplan.manifest.validate import quoted_list
from assistplan.manifest.yamlpos import JsonPath, Positions, format_path

STRICT_FORMATS = ("date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid")
JSON_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
UNSUPPORTED_IN_STRICT = frozenset(
    {
        "allOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "dependencies",
        "patternProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "uniqueItems",
        "contains",
        "minContains",
        "maxContains",
        "prefixItems",
        "additionalItems",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
    }
)
MAX_PROPERTIES = 5000
MAX_DEPTH = 10
MAX_NAME_CHARS = 120_000
MAX_ENUM_VALUES = 1000
LARGE_ENUM = 250
LARGE_ENUM_CHARS = 15_000


@dataclass(frozen=True)
class SchemaSite:
    """Where a schema was written: its label in messages, its positions (schema root = `()`), a fallback range."""

    label: JsonPath
    positions: Positions
    fallback: SourceRange | None
    address: str | None = None

    def error(self, path: JsonPath, message: str, *, key: bool = False) -> Diagnostic:
        where = self.positions.key(path) if key or not path else self.positions.value(path)
        prefix = format_path(self.label + path)
        return Diagnostic.error(f"{prefix}: {message}", range=where or self.fallback, address=self.address)


def _deepest(error: Any) -> Any:
    from jsonschema.exceptions import best_match

    while error.context:
        error = best_match(error.context)
    return error


def check_json_schema(schema: dict[str, Any], site: SchemaSite) -> list[Diagnostic]:
    """Problems that make `schema` an invalid JSON Schema (per its `$schema` draft, 2020-12 by default)."""
    from jsonschema.validators import Draft202012Validator, validator_for

    declared = schema.get("$schema")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cls = validator_for(schema, default=Draft202012Validator) if isinstance(declared, str) else Draft202012Validator
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    diagnostics: list[Diagnostic] = []
    try:
        errors = sorted(meta.iter_errors(schema), key=lambda error: list(map(str, error.absolute_path)))
        for error in errors:
            path = tuple(error.absolute_path)
            if path and path[-1] == "type" and isinstance(error.instance, str):
                message = (
                    f'invalid type "{error.instance}"{did_you_mean(error.instance, JSON_TYPES)}: '
                    f"expected {quoted_list(JSON_TYPES)}"
                )
                diagnostics.append(site.error(path, message))
                continue
            deepest = _deepest(error)
            diagnostics.append(site.error(tuple(deepest.absolute_path), f"invalid JSON Schema: {deepest.message}"))
    except RecursionError:
        diagnostics.append(site.error((), "schema is nested too deeply to check"))
    return diagnostics


def check_object_root(schema: dict[str, Any], site: SchemaSite) -> list[Diagnostic]:
    """Function arguments are an object: the root schema must say `type: object`."""
    if schema.get("type") == "object":
        return []
    if "anyOf" in schema:
        return [site.error((), 'the root must be {"type": "object"}, not "anyOf"')]
    return [site.error((), 'the root must be {"type": "object"}')]


class _StrictChecker:
    def __init__(self, root: dict[str, Any], site: SchemaSite) -> None:
        self.root = root
        self.site = site
        self.diagnostics: list[Diagnostic] = []
        self.properties = 0
        self.name_chars = 0
        self.enum_values = 0
        self.too_deep = False

    def error(self, path: JsonPath, message: str, *, key: bool = False) -> None:
        self.diagnostics.append(self.site.error(path, message, key=key))

    def check(self, node: Any, path: JsonPath, depth: int) -> None:
        if isinstance(node, bool):
            self.error(path, "boolean schemas are not supported in strict mode")
            return
        if not isinstance(node, dict):
            return
        if depth > MAX_DEPTH and not self.too_deep:
            self.too_deep = True
            self.error(path, f"nested more than {MAX_DEPTH} levels deep (strict mode limit)")
        for keyword in node:
            if keyword in UNSUPPORTED_IN_STRICT:
                self.error((*path, keyword), f'"{keyword}" is not supported in strict mode', key=True)
        types = node.get("type")
        types = types if isinstance(types, list) else [types]
        if "object" in types or "properties" in node:
            self.check_object(node, path, depth)
        items = node.get("items")
        if isinstance(items, dict | bool):
            self.check(items, (*path, "items"), depth + 1)
        branches = node.get("anyOf")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                self.check(branch, (*path, "anyOf", index), depth)
        for defs in ("$defs", "definitions"):
            definitions = node.get(defs)
            if isinstance(definitions, dict):
                for name, definition in definitions.items():
                    self.name_chars += len(name)
                    self.check(definition, (*path, defs, name), depth)
        self.check_values(node, path)
        self.check_ref(node, path)

    def check_object(self, node: dict[str, Any], path: JsonPath, depth: int) -> None:
        if "additionalProperties" not in node:
            self.error(path, '"additionalProperties": false is required in strict mode', key=True)
        elif node["additionalProperties"] is not False:
            self.error((*path, "additionalProperties"), "must be false in strict mode")
        properties = node.get("properties", {})
        required = node.get("required", [])
        if not isinstance(properties, dict) or not isinstance(required, list):
            return
        for name in properties:
            if name not in required:
                self.error((*path, "properties", name), 'not listed in "required"', key=True)
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in properties:
                self.error((*path, "required", index), f'"{name}" is required but not defined in "properties"')
        self.properties += len(properties)
        for name, child in properties.items():
            self.name_chars += len(name)
            self.check(child, (*path, "properties", name), depth + 1)

    def check_values(self, node: dict[str, Any], path: JsonPath) -> None:
        form = node.get("format")
        if isinstance(form, str) and form not in STRICT_FORMATS:
            hint = did_you_mean(form, STRICT_FORMATS)
            self.error((*path, "format"), f'format "{form}" is not supported in strict mode{hint}')
        enum = node.get("enum")
        if isinstance(enum, list):
            self.enum_values += len(enum)
            strings = [value for value in enum if isinstance(value, str)]
            chars = sum(map(len, strings))
            self.name_chars += chars
            if len(strings) > LARGE_ENUM and chars > LARGE_ENUM_CHARS:
                self.error(
                    (*path, "enum"),
                    f"an enum of more than {LARGE_ENUM} strings may total at most {LARGE_ENUM_CHARS} characters, "
                    f"got {chars}",
                )
        const = node.get("const")
        if isinstance(const, str):
            self.name_chars += len(const)

    def check_ref(self, node: dict[str, Any], path: JsonPath) -> None:
        ref = node.get("$ref")
        if not isinstance(ref, str) or ref == "#":
            return
        parts = ref.split("/")
        if len(parts) != 3 or parts[0] != "#" or parts[1] not in ("$defs", "definitions"):
            self.error((*path, "$ref"), f'"{ref}": only "#" and "#/$defs/NAME" references are supported')
            return
        definitions = self.root.get(parts[1])
        if not isinstance(definitions, dict) or parts[2] not in definitions:
            names = definitions if isinstance(definitions, dict) else {}
            self.error((*path, "$ref"), f'"{ref}" does not resolve{did_you_mean(parts[2], names)}')

    def finish(self) -> list[Diagnostic]:
        if self.properties > MAX_PROPERTIES:
            self.error((), f"{self.properties} object properties in total, at most {MAX_PROPERTIES} in strict mode")
        if self.name_chars > MAX_NAME_CHARS:
            self.error(
                (),
                f"names, enum and const values total {self.name_chars} characters, "
                f"at most {MAX_NAME_CHARS} in strict mode",
            )
        if self.enum_values > MAX_ENUM_VALUES:
            self.error((), f"{self.enum_values} enum values in total, at most {MAX_ENUM_VALUES} in strict mode")
        return self.diagnostics


def check_strict(schema: dict[str, Any], site: SchemaSite) -> list[Diagnostic]:
    """One diagnostic per violation of OpenAI's strict-mode rules (reference §9); the root is checked apart."""
    checker = _StrictChecker(schema, site)
    try:
        checker.check(schema, (), 1)
    except RecursionError:
        checker.error((), "schema is nested too deeply to check")
    return checker.finish()


_UNGUARDED = ("allOf", "anyOf", "oneOf")
"""Keywords whose schemas apply to the value itself: a `$ref` reached only through them is expanded in place."""


def _definitions(schema: dict[str, Any]) -> dict[str, tuple[JsonPath, Any]]:
    """Every reference target of `schema`: "#" and "#/$defs/NAME" (or "#/definitions/NAME"), with its path."""
    targets: dict[str, tuple[JsonPath, Any]] = {"#": ((), schema)}
    for section in ("$defs", "definitions"):
        found = schema.get(section)
        if isinstance(found, dict):
            targets.update({f"#/{section}/{name}": ((section, name), node) for name, node in found.items()})
    return targets


def _unguarded_refs(node: Any, path: JsonPath) -> Iterator[tuple[str, JsonPath]]:
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        yield ref, (*path, "$ref")
    for key in _UNGUARDED:
        items = node.get(key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                yield from _unguarded_refs(item, (*path, key, index))


def check_ref_cycles(schema: dict[str, Any], site: SchemaSite) -> list[Diagnostic]:
    """A `$ref` cycle that never reaches a schema of its own (`a` is `b`, `b` is `a`) cannot be expanded."""
    targets = _definitions(schema)
    try:
        edges = {name: list(_unguarded_refs(node, path)) for name, (path, node) in targets.items()}
    except RecursionError:
        return [site.error((), "schema is nested too deeply to check")]
    state: dict[str, int] = {}
    for start in targets:
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = []
        while stack:
            name, index = stack.pop()
            if index == 0:
                if state.get(name) == 2:
                    continue
                state[name] = 1
                trail.append(name)
            following = edges.get(name, [])
            if index < len(following):
                stack.append((name, index + 1))
                ref, at = following[index]
                if state.get(ref) == 1:
                    cycle = " -> ".join([*trail[trail.index(ref) :], ref])
                    return [site.error(at, f"$ref cycle that never reaches a schema: {cycle}")]
                if ref in targets and state.get(ref) != 2:
                    stack.append((ref, 0))
            else:
                state[name] = 2
                trail.pop()
    return []
