"""JSON Schema validity and OpenAI's strict-mode rules (reference §9), one message per violation with its path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistplan.manifest.strict import SchemaSite, check_json_schema, check_object_root, check_strict
from assistplan.manifest.yamlpos import LineMap, Positions, parse_single

ORDER = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "pattern": "^[A-Z]-[0-9]{5}$"},
        "include_items": {"type": ["boolean", "null"]},
    },
    "required": ["order_id", "include_items"],
    "additionalProperties": False,
}


def site_for(schema: dict[str, Any]) -> SchemaSite:
    document, _ = parse_single(json.dumps(schema, indent=2), LineMap("s.json"), what="schema")
    assert document is not None
    return SchemaSite(("parameters",), document.positions, None)


def strict_errors(schema: dict[str, Any]) -> list[str]:
    site = site_for(schema)
    problems = check_json_schema(schema, site) + check_object_root(schema, site) + check_strict(schema, site)
    return [f"{d.range.start.line}: {d.summary}" if d.range else d.summary for d in problems]


VALID = [
    pytest.param(ORDER, id="flat-object-nullable-field"),
    pytest.param(
        {
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "maxItems": 5},
                "when": {"type": "string", "format": "date-time"},
                "amount": {"type": "number", "minimum": 0, "exclusiveMaximum": 100, "multipleOf": 0.5},
                "kind": {"anyOf": [{"type": "string", "const": "x"}, {"type": "null"}]},
            },
            "required": ["tags", "when", "amount", "kind"],
            "additionalProperties": False,
        },
        id="supported-keywords",
    ),
    pytest.param(
        {
            "type": "object",
            "properties": {"node": {"$ref": "#/$defs/Node"}},
            "required": ["node"],
            "additionalProperties": False,
            "$defs": {
                "Node": {
                    "type": "object",
                    "description": "a tree",
                    "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                    "required": ["children"],
                    "additionalProperties": False,
                }
            },
        },
        id="defs-and-recursion",
    ),
    pytest.param({"type": "object", "properties": {}, "additionalProperties": False}, id="no-arguments"),
]


@pytest.mark.parametrize("schema", VALID)
def test_valid_strict_schemas_pass(schema: dict[str, Any]) -> None:
    assert strict_errors(schema) == []


def with_property(name: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: schema},
        "required": [name],
        "additionalProperties": False,
        **extra,
    }


INVALID = [
    pytest.param(
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        ['4: parameters.properties.a: not listed in "required"'],
        id="every-property-required",
    ),
    pytest.param(
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        ['1: parameters: "additionalProperties": false is required in strict mode'],
        id="additional-properties-missing",
    ),
    pytest.param(
        {"type": "object", "properties": {}, "additionalProperties": True},
        ["4: parameters.additionalProperties: must be false in strict mode"],
        id="additional-properties-true",
    ),
    pytest.param(
        {"type": "object", "properties": {}, "required": ["ghost"], "additionalProperties": False},
        ['5: parameters.required[0]: "ghost" is required but not defined in "properties"'],
        id="required-names-a-missing-property",
    ),
    pytest.param(
        {"anyOf": [ORDER, {"type": "null"}]},
        ['1: parameters: the root must be {"type": "object"}, not "anyOf"'],
        id="root-any-of",
    ),
    pytest.param(
        with_property("a", {"oneOf": [{"type": "string"}, {"type": "integer"}]}),
        ['5: parameters.properties.a.oneOf: "oneOf" is not supported in strict mode'],
        id="one-of",
    ),
    pytest.param(
        with_property("a", {"type": "string", "minLength": 1, "maxLength": 9}),
        [
            '6: parameters.properties.a.minLength: "minLength" is not supported in strict mode',
            '7: parameters.properties.a.maxLength: "maxLength" is not supported in strict mode',
        ],
        id="string-length",
    ),
    pytest.param(
        with_property("a", {"allOf": [{"type": "string"}]}),
        ['5: parameters.properties.a.allOf: "allOf" is not supported in strict mode'],
        id="all-of",
    ),
    pytest.param(
        with_property("a", {"type": "string", "format": "url"}),
        ['6: parameters.properties.a.format: format "url" is not supported in strict mode'],
        id="unsupported-format",
    ),
    pytest.param(
        with_property("a", {"type": "object", "properties": {"b": {"type": "string"}}}),
        [
            '4: parameters.properties.a: "additionalProperties": false is required in strict mode',
            '7: parameters.properties.a.properties.b: not listed in "required"',
        ],
        id="nested-object-rules",
    ),
    pytest.param(
        with_property("a", {"$ref": "#/definitions/B"}, **{"$defs": {"B": {"type": "string"}}}),
        ['5: parameters.properties.a.$ref: "#/definitions/B" does not resolve'],
        id="dangling-ref",
    ),
    pytest.param(
        with_property("a", {"$ref": "https://example.com/s.json"}),
        [
            '5: parameters.properties.a.$ref: "https://example.com/s.json": only "#" and "#/$defs/NAME" references '
            "are supported"
        ],
        id="remote-ref",
    ),
    pytest.param(
        {"type": "array", "items": {"type": "string"}},
        ['1: parameters: the root must be {"type": "object"}'],
        id="root-not-object",
    ),
]


@pytest.mark.parametrize(("schema", "expected"), INVALID)
def test_strict_violations(schema: dict[str, Any], expected: list[str]) -> None:
    assert strict_errors(schema) == expected


def test_nesting_deeper_than_ten_levels() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(11):
        schema = with_property("n", schema)
    errors = strict_errors(schema)
    assert len(errors) == 1
    assert errors[0].endswith(": nested more than 10 levels deep (strict mode limit)")


def test_enum_limits() -> None:
    many = with_property("a", {"type": "string", "enum": [f"value-{i:04}" for i in range(1001)]})
    assert strict_errors(many)[-1] == "1: parameters: 1001 enum values in total, at most 1000 in strict mode"
    long = with_property("a", {"type": "string", "enum": [f"{i:03}" + "x" * 60 for i in range(251)]})
    assert strict_errors(long)[0].endswith(
        "parameters.properties.a.enum: an enum of more than 250 strings may total at most 15000 characters, got 15813"
    )


def test_too_many_properties() -> None:
    schema = {
        "type": "object",
        "properties": {f"p{i}": {"type": "string"} for i in range(5001)},
        "required": [f"p{i}" for i in range(5001)],
        "additionalProperties": False,
    }
    problems = check_strict(schema, SchemaSite(("parameters",), Positions(), None))
    assert [d.summary for d in problems] == ["parameters: 5001 object properties in total, at most 5000 in strict mode"]


def test_invalid_json_schema_is_reported_before_strict_rules() -> None:
    schema = with_property("a", {"type": "string", "pattern": "[unclosed"})
    site = site_for(schema)
    messages = [d.summary for d in check_json_schema(schema, site)]
    assert messages == ["parameters.properties.a.pattern: invalid JSON Schema: '[unclosed' is not a 'regex'"]


def test_unknown_dialect_falls_back_to_the_latest() -> None:
    schema = {"$schema": "https://example.com/custom", "type": "object"}
    assert check_json_schema(schema, site_for(schema)) == []
