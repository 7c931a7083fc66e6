"""docs/example-pr-comment.md is what scripts/regenerate-docs.py makes from a real plan of assistants/ today."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from .conftest import REPO_ROOT


def regenerate_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate_docs", REPO_ROOT / "scripts" / "regenerate-docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_example_comment_is_up_to_date() -> None:
    committed = (REPO_ROOT / "docs" / "example-pr-comment.md").read_text(encoding="utf-8")

    assert committed == regenerate_docs().example_comment(), "run: python scripts/regenerate-docs.py"


def test_the_example_shows_what_reviewers_look_for() -> None:
    comment = (REPO_ROOT / "docs" / "example-pr-comment.md").read_text(encoding="utf-8")

    assert "\n<!-- assistplan-plan:acme-support -->\n### assistplan plan — acme-support: " in comment
    assert "> [!CAUTION]" in comment
    assert "```diff\n" in comment
    assert "**Function schemas**" in comment
    assert "**Files**" in comment
    assert "goes away" in comment
    assert comment.endswith(f"commit {regenerate_docs().COMMIT}</sub>\n")
