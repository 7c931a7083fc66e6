"""`assistplan projects`: the manifest roots under a folder, and those a git change touches, in a fixture
repository with several projects and a history."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli

AGENT = "kind: Agent\nname: helper\nmodel: gpt-5\ninstructions_file: prompts/helper.md\n"


def project(root: Path, name: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "assistplan.yaml").write_text(f"project: {name}\n", encoding="utf-8")
    (root / "prompts").mkdir(exist_ok=True)
    (root / "prompts" / "helper.md").write_text("Help.\n", encoding="utf-8")
    (root / "agents.yaml").write_text(AGENT, encoding="utf-8")


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with five projects (one nested in another, one in a hidden folder) and a shared variable file,
    all committed as `base`; the working directory is its top."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "--quiet", "--initial-branch=main")
    for folder, name in [
        ("teams/billing", "billing"),
        ("teams/orders", "orders"),
        ("teams/orders/returns", "returns"),
        ("support", "support"),
        (".archive/old", "old"),
    ]:
        project(top / folder, name)
    (top / "vars").mkdir()
    (top / "vars" / "prod.yaml").write_text("tier: prod\n", encoding="utf-8")
    (top / "README.md").write_text("Assistants.\n", encoding="utf-8")
    git(top, "add", ".")
    git(top, "commit", "--quiet", "-m", "base")
    git(top, "tag", "base")
    monkeypatch.chdir(top)
    return top


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["projects", *args])


def listed(*args: str) -> list[str]:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return [entry["dir"] for entry in json.loads(result.output)["include"]]


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message)


def test_every_root_is_listed_and_hidden_folders_are_skipped(repo: Path) -> None:
    assert listed() == ["support", "teams/billing", "teams/orders", "teams/orders/returns"]


def test_json_is_a_github_actions_matrix_of_project_and_environment(repo: Path) -> None:
    result = run("teams/orders", "--format", "json")

    assert json.loads(result.output) == {
        "include": [
            {"dir": "teams/orders", "project": "orders", "environment": None},
            {"dir": "teams/orders/returns", "project": "returns", "environment": None},
        ]
    }


def test_from_inside_one_root_every_dir_is_absolute_never_a_mix(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "teams" / "billing")

    dirs = listed("..")

    assert dirs == [str(repo / "teams" / "billing"), str(repo / "teams" / "orders"), str(repo / "teams/orders/returns")]


def test_text_lists_one_root_a_line_with_its_project(repo: Path) -> None:
    result = run("teams")

    assert result.output == "teams/billing\tbilling\nteams/orders\torders\nteams/orders/returns\treturns\n"


def test_max_depth_zero_lists_only_the_folder_itself(repo: Path) -> None:
    assert listed("teams/orders", "--max-depth", "0") == ["teams/orders"]


def test_no_change_touches_no_project(repo: Path) -> None:
    assert listed("--changed-since", "base") == []


def test_a_changed_manifest_touches_its_project(repo: Path) -> None:
    (repo / "teams" / "billing" / "agents.yaml").write_text(AGENT.replace("gpt-5", "gpt-5-mini"), encoding="utf-8")
    commit(repo, "billing model")

    assert listed("--changed-since", "base") == ["teams/billing"]


def test_a_file_a_manifest_reads_touches_its_project(repo: Path) -> None:
    (repo / "support" / "prompts" / "helper.md").write_text("Help kindly.\n", encoding="utf-8")
    commit(repo, "support prompt")

    assert listed("--changed-since", "base") == ["support"]


def test_a_change_in_a_nested_root_touches_only_the_nested_project(repo: Path) -> None:
    (repo / "teams" / "orders" / "returns" / "prompts" / "helper.md").write_text("Refund.\n", encoding="utf-8")
    commit(repo, "returns prompt")

    assert listed("--changed-since", "base") == ["teams/orders/returns"]


def test_several_commits_touch_exactly_the_projects_they_change(repo: Path) -> None:
    (repo / "teams" / "billing" / "assistplan.yaml").write_text("project: billing\nvars: {a: 1}\n", encoding="utf-8")
    commit(repo, "billing vars")
    (repo / "teams" / "orders" / "prompts" / "helper.md").unlink()
    commit(repo, "orders prompt removed")
    (repo / "README.md").write_text("Our assistants.\n", encoding="utf-8")
    commit(repo, "readme")

    assert listed("--changed-since", "base") == ["teams/billing", "teams/orders"]


def test_a_file_moved_between_projects_touches_both(repo: Path) -> None:
    git(repo, "mv", "support/prompts/helper.md", "teams/billing/prompts/support.md")
    commit(repo, "move")

    assert listed("--changed-since", "base") == ["support", "teams/billing"]


def test_uncommitted_and_untracked_changes_count(repo: Path) -> None:
    (repo / "support" / "agents.yaml").write_text(AGENT + "temperature: 0.2\n", encoding="utf-8")
    (repo / "teams" / "orders" / "new.yaml").write_text(AGENT.replace("helper", "clerk"), encoding="utf-8")

    assert listed("--changed-since", "base") == ["support", "teams/orders"]


def test_changes_on_the_other_branch_since_it_forked_do_not_count(repo: Path) -> None:
    git(repo, "switch", "--quiet", "-c", "feature")
    (repo / "support" / "agents.yaml").write_text(AGENT + "temperature: 0.2\n", encoding="utf-8")
    commit(repo, "support temperature")
    git(repo, "switch", "--quiet", "main")
    (repo / "teams" / "billing" / "agents.yaml").write_text(AGENT + "top_p: 0.5\n", encoding="utf-8")
    commit(repo, "billing top_p")
    git(repo, "switch", "--quiet", "feature")

    assert listed("--changed-since", "main") == ["support"]


def test_a_changed_variable_file_touches_every_project(repo: Path) -> None:
    (repo / "vars" / "prod.yaml").write_text("tier: production\n", encoding="utf-8")
    commit(repo, "prod vars")

    assert listed("--changed-since", "base") == []
    assert listed("--changed-since", "base", "--var-file", "vars/prod.yaml") == [
        "support",
        "teams/billing",
        "teams/orders",
        "teams/orders/returns",
    ]


def test_an_unknown_ref_is_an_error_naming_it(repo: Path) -> None:
    result = run("--changed-since", "no-such-branch")

    assert result.exit_code == 1
    assert "git cannot find REF 'no-such-branch'" in result.output


def test_two_roots_of_one_project_are_refused(repo: Path) -> None:
    project(repo / "support-copy", "support")

    result = run()

    assert result.exit_code == 1
    assert 'both name project "support"' in result.output


def test_a_root_without_a_literal_project_name_is_refused(repo: Path) -> None:
    (repo / "support" / "assistplan.yaml").write_text('project: "{{ vars.name }}"\n', encoding="utf-8")

    result = run()

    assert result.exit_code == 1
    assert "support/assistplan.yaml names no valid project" in result.output


def test_a_project_with_environments_has_an_entry_for_each(repo: Path) -> None:
    config = "project: support\nenvironments:\n  staging: {vars: {tier: s}}\n  prod: {}\n"
    (repo / "support" / "assistplan.yaml").write_text(config, encoding="utf-8")

    result = run("support", "--format", "json")

    assert json.loads(result.output)["include"] == [
        {"dir": "support", "project": "support", "environment": "staging"},
        {"dir": "support", "project": "support", "environment": "prod"},
    ]
    assert run("support").output == "support\tsupport\tstaging\nsupport\tsupport\tprod\n"
