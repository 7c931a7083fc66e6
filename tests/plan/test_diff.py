"""Field-level differences between normalized specs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from assistplan.plan.diff import _same, diff_specs
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


def test_the_same_maps_in_another_key_order_have_no_changes() -> None:
    before = {"model": "gpt-5", "metadata": {"team": "support", "tier": 1}, "temperature": 1.0}
    after = {"temperature": 1.0, "metadata": {"tier": 1, "team": "support"}, "model": "gpt-5"}

    assert _same(before, after)
    assert diff_specs(before, after) == []


def test_a_subclass_of_str_is_another_type_than_str() -> None:
    class Label(str):
        pass

    before, after = {"name": "support"}, {"name": Label("support")}

    assert not _same(before, after)
    [change] = diff_specs(before, after)
    assert change.path == "name"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.floats(-2, 2) | st.text(max_size=2),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=2), children, max_size=3),
    max_leaves=12,
)


def retyped(value: Any, flips: Iterator[bool]) -> Any:
    """A copy of `value` where some numbers have another type of equal value (1 -> 1.0 -> True)."""
    if isinstance(value, dict):
        return {key: retyped(item, flips) for key, item in value.items()}
    if isinstance(value, list):
        return [retyped(item, flips) for item in value]
    if isinstance(value, bool | int | float) and next(flips, False):
        return bool(value) if type(value) is not bool and value in (0, 1) else float(value)
    return value


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.lists(st.booleans(), max_size=12))
def test_specs_the_quick_check_takes_for_the_same_have_no_difference_deepdiff_would_report(
    value: Any, flips: list[bool]
) -> None:
    from deepdiff import DeepDiff

    before, after = {"v": value}, {"v": retyped(value, iter(flips))}

    assert _same(before, {"v": retyped(value, iter([]))})
    if _same(before, after):
        assert not DeepDiff(before, after, view="tree", ignore_order=False, threshold_to_diff_deeper=0)
