"""Field-level differences between normalized specs."""

from __future__ import annotations

from assistplan.plan.diff import diff_specs
from assistplan.plan.model import ChangeType


def test_equal_specs_have_no_changes() -> None:
    spec = {"model": "gpt-5", "tools": [{"type": "function", "name": "f"}], "metadata": {}}

    assert diff_specs(spec, {**spec}) == []


def test_an_int_and_a_float_of_the_same_value_differ_in_type() -> None:
    [change] = diff_specs({"temperature": 1}, {"temperature": 1.0})

    assert (change.path, change.change) == ("temperature", ChangeType.CHANGED)


def test_a_changed_map_entry_is_named_by_its_quoted_key() -> None:
    before = {"files": {"handbook/faq.md": {"sha256": "a", "size": 1}}}
    after = {"files": {"handbook/faq.md": {"sha256": "b", "size": 1}}}

    [change] = diff_specs(before, after)

    assert change.path == 'files["handbook/faq.md"].sha256'


def test_a_change_under_a_create_only_field_forces_replacement() -> None:
    [change] = diff_specs({"chunking": {"max": 800}}, {"chunking": {"max": 400}}, frozenset({"chunking"}))

    assert change.forces_replace


def test_null_and_absent_are_different() -> None:
    [change] = diff_specs({"description": None}, {})

    assert (change.path, change.change) == ("description", ChangeType.REMOVED)


def test_a_bool_and_an_int_of_the_same_value_differ_in_type_deep_inside() -> None:
    before = {"tools": [{"function": {"strict": True}}]}
    after = {"tools": [{"function": {"strict": 1}}]}
    assert [(c.path, c.change) for c in diff_specs(before, after)] == [("tools[0].function.strict", ChangeType.CHANGED)]
