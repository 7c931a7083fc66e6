"""Property-level JSON Schema differences."""

from __future__ import annotations

from assistplan.render.schemadiff import FunctionDiff, SchemaChange, functions_diff, schema_diff

from .plans import order_status_schema, order_status_tool


def obj(**properties: dict[str, object]) -> dict[str, object]:
    return {"type": "object", "properties": properties}


def test_schemadiff_finds_nothing_between_equal_schemas() -> None:
    assert schema_diff(order_status_schema(new=True), order_status_schema(new=True)) == []


def test_schemadiff_reports_added_and_removed_properties() -> None:
    changes = schema_diff(obj(a={"type": "string"}), obj(b={"type": "integer"}))
    assert changes == [
        SchemaChange("b", "added", None, {"type": "integer"}),
        SchemaChange("a", "removed", {"type": "string"}, None),
    ]


def test_schemadiff_reports_type_changes() -> None:
    assert schema_diff(obj(a={"type": "integer"}), obj(a={"type": "string"})) == [
        SchemaChange("a", "type", "integer", "string")
    ]


def test_schemadiff_reports_enum_values_added_and_removed() -> None:
    changes = schema_diff(obj(s={"enum": ["a", "b"]}), obj(s={"enum": ["b", "c"]}))
    assert [(c.path, c.what, c.added, c.removed) for c in changes] == [("s", "enum", ("c",), ("a",))]


def test_schemadiff_reports_required_changes() -> None:
    before = {**obj(a={}), "required": ["a"]}
    after = {**obj(a={}), "required": []}
    assert [(c.path, c.what, c.added, c.removed) for c in schema_diff(before, after)] == [("", "required", (), ("a",))]


def test_schemadiff_walks_nested_objects_and_array_items() -> None:
    before = obj(lines={"type": "array", "items": obj(sku={"type": "string"})})
    after = obj(lines={"type": "array", "items": obj(sku={"type": "string", "pattern": "^[A-Z]+$"})})
    assert schema_diff(before, after) == [SchemaChange("lines[].sku", "pattern", None, "^[A-Z]+$")]


def test_schemadiff_matches_functions_by_name_in_both_tool_shapes() -> None:
    nested = {
        "type": "function",
        "function": {"name": "get_order_status", "parameters": order_status_schema(new=False)},
    }
    diffs = functions_diff([nested], [order_status_tool(new=True)])
    assert [(d.name, d.status) for d in diffs] == [("get_order_status", "changed")]


def test_schemadiff_reports_functions_added_and_removed_with_their_properties() -> None:
    diffs = functions_diff([order_status_tool(new=False)], [{"type": "web_search"}])
    assert diffs == [FunctionDiff("get_order_status", "removed", properties=("order_id", "channel", "email"))]
