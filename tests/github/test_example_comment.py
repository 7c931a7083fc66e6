"""docs/example-pr-comment.md is what scripts/regenerate-docs.py makes from a real plan of assistants/ today."""

from __future__ import annotations

from .conftest import REPO_ROOT
from .docs_script import regenerate_docs

COMMENT = REPO_ROOT / "docs" / "example-pr-comment.md"


def test_the_committed_example_comment_is_up_to_date() -> None:
    committed = COMMENT.read_text(encoding="utf-8")

    assert committed == regenerate_docs().example_comment(), "run: python scripts/regenerate-docs.py"


def test_the_example_shows_what_reviewers_look_for() -> None:
    comment = COMMENT.read_text(encoding="utf-8")

    assert "\n<!-- assistplan-plan:acme-support -->\n### assistplan plan — acme-support: " in comment
    assert "> [!CAUTION]" in comment
    assert "```diff\n" in comment
    assert "**Function schemas**" in comment
    assert "**Files**" in comment
    assert "goes away" in comment
    assert comment.endswith(f"commit {regenerate_docs().COMMIT}</sub>\n")


def test_the_example_shows_the_agents_platform_change() -> None:
    comment = COMMENT.read_text(encoding="utf-8")

    assert "<code>~ Skill/ticket-digest</code>" in comment
    assert "| `+` | `escalation.md` |" in comment
    assert "| `~` | `secrets.token` | (sensitive value) | (sensitive value changed) |" in comment
    assert '| `~` | `expression` | `"0 1 * * *"` | `"0 3 * * *"` |' in comment


def test_the_example_never_shows_the_mcp_token() -> None:
    comment = COMMENT.read_text(encoding="utf-8")
    script = regenerate_docs()

    assert script.APPLIED_TOKEN not in comment
    assert script.ROTATED_TOKEN not in comment
