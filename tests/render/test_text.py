"""The terminal format."""

from __future__ import annotations

from dataclasses import replace

from syrupy.assertion import SnapshotAssertion

from assistplan.plan.model import Action, ChangeType, FieldChange, Plan, PlanOptions, ResourceChange
from assistplan.render import plan_view, render_text

from .plans import (
    creates_only_plan,
    drift_only_plan,
    escalation_create,
    every_action_plan,
    no_changes_plan,
    plan,
    refresh_only_plan,
    returns_bot_forget,
    support_agent_update,
)


def text(p: Plan, *, color: bool = False) -> str:
    return render_text(plan_view(p), color=color)


def test_text_every_action_plan(text_snapshot: SnapshotAssertion) -> None:
    assert text(every_action_plan()) == text_snapshot


def test_text_every_action_plan_in_colour(text_snapshot: SnapshotAssertion) -> None:
    assert text(every_action_plan(), color=True) == text_snapshot


def test_text_no_changes_plan(text_snapshot: SnapshotAssertion) -> None:
    assert text(no_changes_plan()) == text_snapshot


def test_text_drift_only_plan(text_snapshot: SnapshotAssertion) -> None:
    assert text(drift_only_plan()) == text_snapshot


def test_text_refresh_only_plan(text_snapshot: SnapshotAssertion) -> None:
    assert text(refresh_only_plan()) == text_snapshot


def test_text_creates_only_plan(text_snapshot: SnapshotAssertion) -> None:
    assert text(creates_only_plan()) == text_snapshot


def test_text_without_colour_has_no_escape_codes() -> None:
    assert "\x1b[" not in text(every_action_plan())


def test_text_with_colour_paints_symbols_and_bolds_addresses() -> None:
    out = text(every_action_plan(), color=True)
    assert "\x1b[32m+\x1b[0m create" in out
    assert "\x1b[35m-/+\x1b[0m VectorStore" in out
    assert "# \x1b[1mAgent/support\x1b[0m will be updated in-place" in out


def test_text_says_no_changes_when_nothing_changes() -> None:
    assert text(no_changes_plan()) == "No changes. Your assistants match the manifests.\n"


def test_text_drift_only_plan_says_drift_was_seen_and_nothing_changes() -> None:
    out = text(drift_only_plan())
    assert out.index("Objects changed outside assistplan") < out.index("so there is nothing to change")
    assert "Plan:" not in out


def test_text_shows_drift_before_the_changes_it_causes() -> None:
    out = text(every_action_plan())
    assert out.index("# Agent/billing has changed") < out.index("# Agent/billing will be updated in-place")
    assert "(because it was changed outside assistplan)" in out


def test_text_legend_lists_only_the_symbols_used() -> None:
    out = text(creates_only_plan())
    assert "  + create" in out
    assert "update in-place\n" not in out.split("assistplan will perform")[0]


def test_text_summary_mentions_forget_only_when_there_is_something_to_forget() -> None:
    assert text(creates_only_plan()).endswith("Plan: 2 to add, 0 to change, 0 to destroy.\n")
    assert text(plan(returns_bot_forget())).endswith("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.\n")


def test_text_shows_instructions_as_a_unified_diff() -> None:
    out = text(plan(support_agent_update()))
    assert "~ instructions" in out
    assert "            -Never promise a refund; hand refunds to a human.\n" in out
    assert "            +Offer a refund only when the return policy allows it, and quote the policy.\n" in out


def test_text_marks_fields_that_force_replacement() -> None:
    out = text(every_action_plan())
    assert (
        '~ description                    = "Old tickets" -> "Resolved tickets, 2025-2026"  # forces replacement' in out
    )


def test_text_escapes_control_characters_in_values() -> None:
    change = ResourceChange(
        "Agent/a",
        "Agent",
        "a",
        Action.UPDATE,
        changes=(
            FieldChange("model", ChangeType.CHANGED, "gpt-5\x1b[2J", "gpt-5"),
            FieldChange("instructions", ChangeType.CHANGED, "one\ntwo\x1b]0;x\x07", "one\nthree"),
        ),
    )
    out = text(plan(change))
    assert "\x1b" not in out
    assert "\\u001b" in out


def test_text_warns_when_targeting_is_in_effect() -> None:
    p = plan(escalation_create(), options=PlanOptions(targets=("Agent/escalation",)))
    assert "Warning: Resource targeting is in effect (Agent/escalation)" in text(p)


def test_text_shows_a_rotated_secret_as_a_sensitive_change_without_its_fingerprint() -> None:
    change = ResourceChange(
        "VaultCredential/github",
        "VaultCredential",
        "github",
        Action.UPDATE,
        changes=(FieldChange("secrets.token.fingerprint", ChangeType.CHANGED, "24adc411232eb9c1", "64396fcd6dcddb19"),),
    )
    out = text(plan(change))
    assert "~ secrets.token = (sensitive value changed)" in out
    assert "24adc411" not in out and "64396fcd" not in out


def test_text_shows_what_an_update_reaches_under_its_headline() -> None:
    note = "reaches EnvironmentTemplate/etl at its next session start"

    lines = text(plan(replace(support_agent_update(), notes=(note,)))).splitlines()

    headline = lines.index("  # Agent/support will be updated in-place")
    assert lines[headline + 1 : headline + 3] == ["  # (because the manifest changed)", f"  # {note}"]
