"""The README's plan excerpt is what scripts/regenerate-docs.py makes from a real plan of assistants/ today, and the
quickstart sets what the example stack needs to apply."""

from __future__ import annotations

import re

import yaml

from .conftest import EXAMPLE, EXAMPLE_TOKEN_ENV, REPO_ROOT
from .docs_script import regenerate_docs

README = REPO_ROOT / "README.md"


def excerpt() -> str:
    script = regenerate_docs()
    readme = README.read_text(encoding="utf-8")
    return readme.partition(script.EXCERPT_BEGIN)[2].partition(script.EXCERPT_END)[0]


def test_the_committed_readme_excerpt_is_up_to_date() -> None:
    script = regenerate_docs()
    readme = README.read_text(encoding="utf-8")

    regenerated = script.readme_with_excerpt(readme, script.readme_excerpt())

    assert readme == regenerated, "run: python scripts/regenerate-docs.py"


def test_the_excerpt_is_a_terminal_plan() -> None:
    text = excerpt()

    assert text.startswith("```text\n$ assistplan plan\nResource actions are indicated with the following symbols:\n")
    assert text.endswith("\nPlan: 0 to add, 5 to change, 0 to destroy.\n```\n")


def test_the_excerpt_shows_the_agents_platform_change() -> None:
    text = excerpt()

    assert '  ~ Skill "ticket-digest" {' in text
    assert '      + files["escalation.md"]   = 216 B, sha256 ' in text
    assert "  # reaches EnvironmentTemplate/ticket-analysis at its next session start: " in text
    assert "      ~ secrets.token = (sensitive value changed)\n" in text
    assert '      ~ expression = "0 1 * * *" -> "0 3 * * *"\n' in text
    assert text.count("+Greet the customer by name when you know it.") == 2


def test_the_excerpt_never_shows_the_mcp_token() -> None:
    text = excerpt()
    script = regenerate_docs()

    assert script.APPLIED_TOKEN not in text
    assert script.ROTATED_TOKEN not in text


def test_the_quickstart_sets_the_variable_the_example_reads_its_mcp_token_from() -> None:
    documents = yaml.safe_load_all((EXAMPLE / "vault.yaml").read_text(encoding="utf-8"))
    credential = next(document for document in documents if document["kind"] == "VaultCredential")
    quickstart = README.read_text(encoding="utf-8").partition("## Quickstart")[2].partition("\n## ")[0]

    assert credential["auth"]["token"] == {"env": EXAMPLE_TOKEN_ENV}
    assert re.search(rf"^pip install \. && {EXAMPLE_TOKEN_ENV}=\S+ assistplan apply --auto-approve$", quickstart, re.M)
