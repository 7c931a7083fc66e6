"""The view without no-ops (`plan_view(..., noops=False)`): the text and Markdown formats read it exactly as the full
view, and it never touches a resource that does not change."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest

from assistplan.plan.model import Plan, ResourceChange
from assistplan.render import plan_view, render_markdown, render_text
from assistplan.render.words import unchanged_count

from .plans import (
    creates_only_plan,
    drift_only_plan,
    every_action_plan,
    no_changes_plan,
    plan,
    refresh_only_plan,
    refund_policy_noop,
    support_agent_update,
)

PLANS: dict[str, Callable[[], Plan]] = {
    "every-action": every_action_plan,
    "no-changes": no_changes_plan,
    "drift-only": drift_only_plan,
    "refresh-only": refresh_only_plan,
    "creates-only": creates_only_plan,
}


class Untouchable(Mapping[str, Any]):
    """A spec that fails any test that reads it."""

    def __getitem__(self, key: str) -> Any:
        raise AssertionError("an unchanged resource's spec was read")

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("an unchanged resource's spec was read")

    def __len__(self) -> int:
        raise AssertionError("an unchanged resource's spec was read")


def untouchable_noop(index: int) -> ResourceChange:
    return replace(
        refund_policy_noop(),
        address=f"File/unchanged-{index}",
        name=f"unchanged-{index}",
        before=Untouchable(),  # type: ignore[arg-type]
        after=Untouchable(),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("make", PLANS.values(), ids=PLANS.keys())
def test_text_and_markdown_read_the_view_without_noops_as_the_full_view(make: Callable[[], Plan]) -> None:
    full, counted = plan_view(make(), commit="9c1e5d0"), plan_view(make(), commit="9c1e5d0", noops=False)

    assert render_text(counted, color=True) == render_text(full, color=True)
    assert render_markdown(counted) == render_markdown(full)
    assert unchanged_count(counted) == unchanged_count(full)


def test_the_view_without_noops_lists_what_changes_and_counts_the_rest() -> None:
    full, counted = plan_view(every_action_plan()), plan_view(every_action_plan(), noops=False)

    assert [rc for rc in full["resource_changes"] if rc["change"]["actions"] != ["no-op"]] == counted[
        "resource_changes"
    ]
    assert counted["noop_count"] == 1
    assert "noop_count" not in full
    assert {key: value for key, value in counted.items() if key not in ("resource_changes", "noop_count")} == {
        key: value for key, value in full.items() if key != "resource_changes"
    }


def test_unchanged_resources_are_counted_without_being_read() -> None:
    changes = [untouchable_noop(i) for i in range(1000)]
    big = plan(*changes[:500], support_agent_update(), *changes[500:])

    view = plan_view(big, noops=False)
    text, markdown = render_text(view, color=False), render_markdown(view)

    assert [rc["address"] for rc in view["resource_changes"]] == ["Agent/support"]
    assert view["noop_count"] == 1000
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in text
    assert "1000 resources unchanged" in markdown


def test_a_plan_of_only_unchanged_resources_reads_none_of_them() -> None:
    view = plan_view(plan(*(untouchable_noop(i) for i in range(3))), noops=False)

    assert view["resource_changes"] == []
    assert render_text(view, color=False) == "No changes. Your assistants match the manifests.\n"
    with pytest.raises(AssertionError, match="spec was read"):
        plan_view(plan(untouchable_noop(0)))  # the full view (the JSON format) copies them
