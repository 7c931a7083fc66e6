"""Flowise tool schema rows: which JSON Schemas can become rows (checked by validate), and the conversion both ways."""

from __future__ import annotations

import pytest

from assistplan.manifest.flowise_schema import normalize_rows, payload_rows, rows_from_schema, schema_from_rows

from .conftest import FLOWISE_CONFIG, Failing, Loader

TOOL = """\
kind: FlowiseTool
name: lookup
function: lookup
code: return 'ok';
"""

FLAT = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "description": "What to look up."},
        "limit": {"type": "number"},
        "exact": {"type": "boolean", "description": "Exact match only."},
        "since": {"type": "string", "format": "date-time"},
    },
    "required": ["query"],
    "additionalProperties": False,
}

ROWS = [
    {"property": "query", "type": "string", "description": "What to look up.", "required": True},
    {"property": "limit", "type": "number", "description": "", "required": False},
    {"property": "exact", "type": "boolean", "description": "Exact match only.", "required": False},
    {"property": "since", "type": "date", "description": "", "required": False},
]


def function(properties: str) -> str:
    return f"kind: Function\nname: lookup\ndescription: Look something up.\nparameters:\n  type: object\n{properties}"


def test_a_flat_schema_becomes_one_row_per_property_in_order() -> None:
    assert rows_from_schema(FLAT) == ROWS


def test_rows_turn_back_into_a_schema_that_gives_the_same_rows() -> None:
    assert rows_from_schema(schema_from_rows(ROWS)) == ROWS


def test_stored_rows_lose_their_grid_ids_when_normalized() -> None:
    assert normalize_rows(payload_rows(ROWS)) == ROWS


def test_a_stored_schema_that_is_not_rows_is_kept_as_it_is() -> None:
    assert normalize_rows("not json") == "not json"


def test_a_row_of_an_unknown_type_cannot_become_a_schema() -> None:
    with pytest.raises(ValueError, match="row 0"):
        schema_from_rows([{"property": "x", "type": "object"}])


def test_a_tool_on_a_flat_function_validates(load: Loader) -> None:
    project = load(
        {
            "assistplan.yaml": FLOWISE_CONFIG,
            "f.yaml": function("  properties:\n    q: {type: string, description: Query.}\n"),
            "t.yaml": TOOL,
        }
    )

    assert len(project.resources) == 2


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        (
            "  properties:\n    tags: {type: array}\n",
            'parameters.properties.tags.type: type "array" cannot be a row: rows are string, number or boolean',
        ),
        (
            "  properties:\n    n: {type: integer}\n",
            'parameters.properties.n.type: type "integer" cannot be a row: rows are string, number or boolean '
            '(write "number")',
        ),
        (
            "  properties:\n    color: {type: string, enum: [red, blue]}\n",
            "parameters.properties.color.enum: 'enum' cannot be expressed: a Flowise schema row has only a name, a "
            "type, a description and whether it is required",
        ),
        (
            "  properties:\n    mail: {type: string, format: email}\n",
            'parameters.properties.mail.format: only a string of format "date-time" (the row type date) can carry '
            "a format",
        ),
        (
            "  properties: {}\n  additionalProperties: true\n",
            "parameters: only additionalProperties: false can be expressed (rows accept nothing else)",
        ),
    ],
    ids=["array", "integer", "enum", "format", "additional-properties"],
)
def test_a_schema_the_rows_cannot_express_is_an_error_at_the_tools_function_line(
    failing: Failing, properties: str, message: str
) -> None:
    errors = failing({"assistplan.yaml": FLOWISE_CONFIG, "f.yaml": function(properties), "t.yaml": TOOL})

    assert errors == [f't.yaml:3:11: function: Function "lookup" {message}']
