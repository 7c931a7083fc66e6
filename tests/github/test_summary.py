"""The job summary: Markdown appended to $GITHUB_STEP_SUMMARY, and what an apply writes there."""

from __future__ import annotations

from pathlib import Path

from assistplan.addrs import Address
from assistplan.apply.results import ActionResult, ApplyResult
from assistplan.github import append_step_summary, apply_summary


def test_markdown_is_appended_to_the_step_summary_file(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## Earlier step\n", encoding="utf-8")
    environ = {"GITHUB_STEP_SUMMARY": str(summary)}

    assert append_step_summary("### Plan\n\nBody", environ)
    assert append_step_summary("### Apply\n", environ)

    assert summary.read_text(encoding="utf-8") == "## Earlier step\n### Plan\n\nBody\n\n### Apply\n\n"


def test_nothing_is_written_outside_github_actions() -> None:
    assert not append_step_summary("### Plan\n", {})


def test_an_apply_with_nothing_to_do_says_so() -> None:
    assert apply_summary("acme-support", None) == (
        "### assistplan apply — acme-support: No changes\n\nNo changes. Your assistants match the manifests.\n"
    )


def test_a_complete_apply_counts_the_resources_and_lists_each_action() -> None:
    result = ApplyResult(
        [
            ActionResult(Address("VectorStore", "handbook"), "replace", ok=True, seconds=2.04),
            ActionResult(Address("Agent", "support"), "update", ok=True, seconds=0.31),
            ActionResult(Address("VectorStore", "handbook"), "delete old", ok=True, seconds=0.2),
        ]
    )

    assert apply_summary("acme-support", result) == (
        "### assistplan apply — acme-support: Apply complete\n\n"
        "**Resources: 1 added, 1 changed, 1 destroyed.**\n\n"
        "| Resource | Step | Result |\n"
        "|---|---|---|\n"
        "| `VectorStore/handbook` | replace | done in 2.0 s |\n"
        "| `Agent/support` | update | done in 0.3 s |\n"
        "| `VectorStore/handbook` | delete old | done in 0.2 s |\n"
    )


def test_a_failed_apply_shows_the_error_and_what_was_skipped() -> None:
    result = ApplyResult(
        [
            ActionResult(
                Address("VectorStore", "handbook"), "create", ok=False, error="429 | rate limited\nretry later"
            ),
            ActionResult(
                Address("Assistant", "support"), "create", ok=False, skipped=True, error="VectorStore/handbook failed"
            ),
        ]
    )

    out = apply_summary("acme-support", result)

    assert out.startswith("### assistplan apply — acme-support: Apply failed\n\n**Resources: 0 added,")
    assert "| `VectorStore/handbook` | create | **failed**: 429 \\| rate limited retry later |" in out
    assert "| `Assistant/support` | create | skipped: VectorStore/handbook failed |" in out


def test_a_destroy_speaks_of_destroying_and_counts_what_it_destroyed() -> None:
    result = ApplyResult(
        [
            ActionResult(Address("Agent", "support"), "delete", ok=True, seconds=0.31),
            ActionResult(Address("VectorStore", "handbook"), "delete", ok=True, seconds=0.2),
        ]
    )

    out = apply_summary("acme-support", result, destroying=True)

    assert out.startswith("### assistplan destroy — acme-support: Destroy complete\n\n**Resources: 2 destroyed.**")
    assert "Apply" not in out


def test_a_failed_destroy_says_the_destroy_failed() -> None:
    result = ApplyResult([ActionResult(Address("Agent", "support"), "delete", ok=False, error="500 | server error")])

    assert apply_summary("acme-support", result, destroying=True).startswith(
        "### assistplan destroy — acme-support: Destroy failed"
    )


def test_a_destroy_with_nothing_to_destroy_says_so() -> None:
    assert apply_summary("acme-support", None, destroying=True).startswith(
        "### assistplan destroy — acme-support: Nothing to destroy"
    )
