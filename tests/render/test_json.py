"""The JSON format: the view, stably serialized."""

from __future__ import annotations

import json

from syrupy.assertion import SnapshotAssertion

from assistplan.render import plan_view, render_json

from .plans import every_action_plan, no_changes_plan


def test_json_every_action_plan(json_snapshot: SnapshotAssertion) -> None:
    assert render_json(plan_view(every_action_plan(), commit="9c1e5d0")) == json_snapshot


def test_json_no_changes_plan(json_snapshot: SnapshotAssertion) -> None:
    assert render_json(plan_view(no_changes_plan())) == json_snapshot


def test_json_sorts_keys_indents_by_two_and_ends_with_newline() -> None:
    text = render_json(plan_view(every_action_plan()))
    top_keys = [line.split('"')[1] for line in text.splitlines() if line.startswith('  "')]
    assert top_keys == sorted(top_keys)
    assert "commit" in top_keys
    assert text.endswith("}\n")


def test_json_round_trips_to_the_view() -> None:
    view = plan_view(every_action_plan())
    assert json.loads(render_json(view)) == view
