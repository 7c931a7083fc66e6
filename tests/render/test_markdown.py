"""The pull-request comment format."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from assistplan.plan.model import Action, ChangeType, FieldChange, Plan, ResourceChange
from assistplan.render import plan_view, render_markdown
from assistplan.render.mdparts import Block, escape, fit

from .plans import (
    big_plan,
    creates_only_plan,
    drift_only_plan,
    escalation_create,
    every_action_plan,
    handbook_update,
    no_changes_plan,
    plan,
    support_agent_update,
)

COMMIT = "9c1e5d0b7a3f4e2d8c6b1a0f9e8d7c6b5a4f3e2d"


def markdown(p: Plan, *, commit: str | None = None, max_chars: int = 60_000) -> str:
    return render_markdown(plan_view(p), commit=commit, max_chars=max_chars)


def test_markdown_every_action_plan(md_snapshot: SnapshotAssertion) -> None:
    assert markdown(every_action_plan(), commit=COMMIT) == md_snapshot


def test_markdown_no_changes_plan(md_snapshot: SnapshotAssertion) -> None:
    assert markdown(no_changes_plan()) == md_snapshot


def test_markdown_drift_only_plan(md_snapshot: SnapshotAssertion) -> None:
    assert markdown(drift_only_plan()) == md_snapshot


def test_markdown_creates_only_plan(md_snapshot: SnapshotAssertion) -> None:
    assert markdown(creates_only_plan()) == md_snapshot


def test_markdown_truncated_every_action_plan(md_snapshot: SnapshotAssertion) -> None:
    assert markdown(every_action_plan(), commit=COMMIT, max_chars=4_000) == md_snapshot


def test_markdown_starts_with_the_hidden_marker() -> None:
    assert markdown(every_action_plan()).startswith("<!-- assistplan-plan:acme-support -->\n")


def test_markdown_title_and_summary_come_before_any_section() -> None:
    out = markdown(every_action_plan())
    title = "### assistplan plan — acme-support: 2 to add, 3 to change, 2 to destroy, 1 to forget"
    assert out.splitlines()[1] == title
    assert out.index("**Plan: 2 to add, 3 to change, 2 to destroy, 1 to forget.**") < out.index("<details>")


def test_markdown_title_says_no_changes() -> None:
    assert markdown(no_changes_plan()).splitlines()[1] == "### assistplan plan — acme-support: No changes"


def test_markdown_banner_lists_every_delete_and_replace() -> None:
    banner = markdown(every_action_plan()).split("> [!CAUTION]\n")[1].split("\n\n")[0]
    assert "`VectorStore/archive` will be **replaced**" in banner
    assert "`Assistant/legacy-triage` will be **destroyed**" in banner
    assert "Agent/support" not in banner


def test_markdown_banner_notes_remote_ids_that_go_away_on_replace() -> None:
    banner = markdown(every_action_plan()).split("> [!CAUTION]\n")[1].split("\n\n")[0]
    assert "> - `VectorStore/archive`: `vs_68a1archive` goes away" in banner


def test_markdown_has_no_banner_without_destructive_changes() -> None:
    assert "[!CAUTION]" not in markdown(creates_only_plan())


def test_markdown_shows_drift_in_its_own_section_before_the_changes() -> None:
    out = markdown(every_action_plan())
    drift, changes = out.split("#### Changes")
    assert "#### Changed outside assistplan" in drift
    assert "<code>~ Agent/billing</code> changed outside assistplan" in drift
    assert "<code>~ Agent/billing</code> update in-place — because it was changed outside assistplan" in changes


def test_markdown_has_one_details_section_per_change_and_drift() -> None:
    out = markdown(every_action_plan())
    assert out.count("<details><summary>") == out.count("\n</details>\n") == 7 + 2


def test_markdown_diffs_instructions_in_a_fence_longer_than_their_backticks() -> None:
    out = markdown(plan(support_agent_update()))
    assert "````diff\n@@ -1,6 +1,10 @@\n" in out
    assert "+```\n+A-10023\n+```\n" in out


def test_markdown_keeps_html_in_instructions_inside_the_fence() -> None:
    out = markdown(plan(escalation_create()))
    fenced = re.search(r"```diff\n(.*?)\n```", out, re.DOTALL)
    assert fenced is not None
    assert "+Otherwise answer with <details> of the next step." in fenced.group(1)
    assert out.count("<details>") == 2


def test_markdown_lists_function_schema_differences_by_property() -> None:
    out = markdown(plan(support_agent_update()))
    assert "- `get_order_status`: parameters changed\n" in out
    assert "  - `order_id`: type `integer` → `string`\n" in out
    assert '  - `channel`: enum values added `"phone"`\n' in out
    assert "  - `include_items`: property added (`boolean`)\n" in out
    assert "  - `email`: property removed\n" in out
    assert "  - parameters: required added `include_items`; removed `email`\n" in out


def test_markdown_leaves_schema_paths_out_of_the_field_table() -> None:
    out = markdown(plan(support_agent_update()))
    assert "tools[0].parameters" not in out
    assert "| `~` | `tools[0].description` |" in out


def test_markdown_shows_file_changes_with_sizes_and_short_hashes() -> None:
    out = markdown(plan(handbook_update()))
    assert "| `~` | `handbook/faq.md` | 18.0 KiB, sha256 3f79bb7b435b | 18.6 KiB, sha256 c3499c272973 |" in out
    assert "| `+` | `handbook/returns.md` |  | 1.2 MiB, sha256 e4d909c290d0 |" in out
    assert "| `-` | `handbook/old-prices.md` | 2.3 KiB, sha256 a1d0c6e83f02 |  |" in out
    assert "handbook/shipping.md" not in out


def test_markdown_escapes_pipes_and_backticks_in_table_values() -> None:
    change = ResourceChange(
        "Agent/a",
        "Agent",
        "a",
        Action.UPDATE,
        changes=(FieldChange("metadata.note", ChangeType.CHANGED, "a|b", "``x``"),),
    )
    assert '| `~` | `metadata.note` | `"a\\|b"` | ```"``x``"``` |' in markdown(plan(change))


def test_markdown_footer_names_the_commit() -> None:
    assert markdown(every_action_plan(), commit=COMMIT).endswith(f"commit {COMMIT}</sub>\n")


def test_markdown_takes_the_commit_from_the_view_by_default() -> None:
    out = render_markdown(plan_view(no_changes_plan(), commit=COMMIT))
    assert out.endswith(f"commit {COMMIT}</sub>\n")


def test_markdown_over_the_limit_stays_within_max_chars() -> None:
    out = markdown(big_plan(300))
    assert len(out) <= 60_000


def test_markdown_over_the_limit_lists_what_was_left_out() -> None:
    out = markdown(big_plan(300))
    shown = re.findall(r"<summary><code>~ (Agent/product-\d+)</code>", out)
    left_out = re.findall(r"^- `~ (Agent/product-\d+)` update in-place$", out, re.MULTILINE)
    assert shown and left_out
    assert shown + left_out == [f"Agent/product-{i:03d}" for i in range(300)]
    assert f"**{len(left_out)} more resources not shown**" in out
    assert "JSON artifact" in out


def test_markdown_over_the_limit_keeps_the_footer() -> None:
    assert markdown(big_plan(300), commit=COMMIT).endswith(f"commit {COMMIT}</sub>\n")


def test_markdown_cuts_the_left_out_list_short_when_it_alone_is_too_long() -> None:
    out = markdown(big_plan(300), max_chars=5_000)
    assert len(out) <= 5_000
    assert re.search(r"^- … and \d+ more$", out, re.MULTILINE)
    assert "**300 more resources not shown**" in out


def test_markdown_over_the_limit_makes_the_text_of_no_section_past_the_budget() -> None:
    made: list[int] = []

    def section(index: int) -> Block:
        return Block(lambda: made.append(index) or f"{index:03d} " + "x" * 96, entry=f"section {index}")

    out = fit("head\n", [section(index) for index in range(200)], "", 1_000, lambda count: f"{count} left out")

    assert made == list(range(10))
    assert "000 x" in out and "008 x" in out and "009 x" not in out
    assert "191 left out" in out


BIG_VIEW = plan_view(big_plan(60))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=600, max_value=400_000))
def test_markdown_never_exceeds_max_chars(max_chars: int) -> None:
    assert len(render_markdown(BIG_VIEW, max_chars=max_chars)) <= max_chars


def test_markdown_shows_a_rotated_secret_as_a_sensitive_change_without_its_fingerprint() -> None:
    change = ResourceChange(
        "EnvironmentTemplate/py",
        "EnvironmentTemplate",
        "py",
        Action.UPDATE,
        changes=(FieldChange("env.API_TOKEN.fingerprint", ChangeType.CHANGED, "28f60e67ebbe9c02", "1e12b01716422e42"),),
    )
    out = render_markdown(plan_view(plan(change)))
    assert "| `env.API_TOKEN` | (sensitive value) | (sensitive value changed) |" in out
    assert "28f60e67" not in out and "1e12b017" not in out


def test_markdown_lists_what_an_update_reaches_above_its_fields() -> None:
    note = "reaches EnvironmentTemplate/etl at its next session start: skills[0] names no version"

    comment = markdown(plan(replace(support_agent_update(), notes=(note,))))

    assert f"\n\n- {escape(note)}\n\nRemote id: " in comment
