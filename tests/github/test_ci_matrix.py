"""scripts/ci-assistplan.sh for many projects, as the reusable workflows run it: `projects` writes the matrix to the
step's outputs, each matrix job's `plan` posts a comment of its own, and `drift` keeps one issue per project, opened,
updated and closed, against the fake GitHub API on loopback and the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from assistplan.sandbox.server import API_KEY, SandboxServer
from assistplan.sandbox.testing import make_client

from .conftest import GITHUB_VARIABLES, REPO_ROOT
from .fakegithub import TOKEN, FakeGitHub

SCRIPT = REPO_ROOT / "scripts" / "ci-assistplan.sh"
KEY_ENV = "ASSISTPLAN_TEST_OPENAI_KEY"
HELPER = "kind: Assistant\nname: helper\nmodel: gpt-4o\ninstructions: Help with {{ vars.topic }}.\n"


class Workspace:
    """A repository checked out for a job: projects under `teams/`, a git history, the fake GitHub."""

    def __init__(self, top: Path, github: FakeGitHub, sandbox: SandboxServer) -> None:
        self.top = top
        self.github = github
        self.sandbox = sandbox
        self.output = top.parent / "github-output"

    def project(self, folder: str, name: str, extra: str = "") -> Path:
        root = self.top / folder
        root.mkdir(parents=True, exist_ok=True)
        config = f"project: {name}\nopenai: {{base_url: '{self.sandbox.base_url}', api_key_env: {KEY_ENV}}}\n"
        (root / "assistplan.yaml").write_text(config + f"vars: {{topic: {name}}}\n" + extra, encoding="utf-8")
        (root / "helper.yaml").write_text(HELPER, encoding="utf-8")
        return root

    def git(self, *args: str) -> str:
        identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
        done = subprocess.run(["git", *identity, *args], cwd=self.top, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "--quiet", "-m", message)
        return self.git("rev-parse", "HEAD")

    def run(self, command: str, **settings: str) -> subprocess.CompletedProcess[str]:
        env = {name: value for name, value in os.environ.items() if name not in GITHUB_VARIABLES}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env.update(self.github.env(), GITHUB_OUTPUT=str(self.output), **{KEY_ENV: API_KEY}, **settings)
        return subprocess.run(
            [str(SCRIPT), command], cwd=self.top, env=env, capture_output=True, text=True, timeout=300
        )

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)

    def matrix(self) -> list[dict[str, str | None]]:
        include: list[dict[str, str | None]] = json.loads(self.outputs()["matrix"])["include"]
        return include


@pytest.fixture
def workspace(
    tmp_path: Path, fake_github: FakeGitHub, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    top = tmp_path / "repo"
    top.mkdir()
    space = Workspace(top, fake_github, sandbox)
    space.git("init", "--quiet", "--initial-branch=main")
    for name in ("billing", "orders", "returns"):
        space.project(f"teams/{name}", name)
    (top / ".gitignore").write_text(".assistplan/\nout/\n", encoding="utf-8")
    space.commit("base")
    return space


def test_the_matrix_of_one_manifest_root_is_that_project(workspace: Workspace) -> None:
    result = workspace.run("projects", ASSISTPLAN_DIR="teams/orders")

    assert result.returncode == 0, result.stderr
    assert workspace.outputs()["empty"] == "false"
    assert workspace.matrix() == [{"dir": "teams/orders", "project": "orders", "environment": None}]


def test_the_matrix_of_a_folder_holds_every_project_under_it(workspace: Workspace) -> None:
    result = workspace.run("projects", ASSISTPLAN_PROJECTS=".")

    assert result.returncode == 0, result.stderr
    assert [entry["project"] for entry in workspace.matrix()] == ["billing", "orders", "returns"]


def test_the_matrix_holds_only_the_projects_the_change_touches(workspace: Workspace) -> None:
    base = workspace.git("rev-parse", "HEAD")
    (workspace.top / "teams" / "billing" / "helper.yaml").write_text(HELPER + "temperature: 0.5\n", encoding="utf-8")
    workspace.commit("billing temperature")

    result = workspace.run("projects", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_CHANGED_SINCE=base)

    assert result.returncode == 0, result.stderr
    assert workspace.matrix() == [{"dir": "teams/billing", "project": "billing", "environment": None}]


def test_a_change_that_touches_no_project_makes_an_empty_matrix(workspace: Workspace) -> None:
    base = workspace.git("rev-parse", "HEAD")
    (workspace.top / "README.md").write_text("Assistants.\n", encoding="utf-8")
    workspace.commit("readme")

    result = workspace.run("projects", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_CHANGED_SINCE=base)

    assert result.returncode == 0, result.stderr
    assert workspace.outputs() == {"matrix": '{"include": []}', "empty": "true"}


def test_a_base_commit_missing_from_the_clone_lists_every_project(workspace: Workspace) -> None:
    result = workspace.run("projects", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_CHANGED_SINCE="0" * 40)

    assert result.returncode == 0, result.stderr
    assert "is not in the clone: every project is listed" in result.stderr
    assert len(workspace.matrix()) == 3


def test_each_matrix_job_posts_the_comment_of_its_project(workspace: Workspace) -> None:
    workspace.run("projects", ASSISTPLAN_PROJECTS=".")

    for entry in workspace.matrix():
        out = str(workspace.top / "out" / str(entry["project"]))
        result = workspace.run("plan", ASSISTPLAN_DIR=str(entry["dir"]), ASSISTPLAN_OUT=out, ASSISTPLAN_PR="7")
        assert result.returncode == 0, result.stderr

    firsts = [comment["body"].split("\n", 2)[:2] for comment in workspace.github.on(7)]
    assert firsts == [
        [f"<!-- assistplan-plan:{name} -->", f"### assistplan plan — {name}: 1 to add, 0 to change, 0 to destroy"]
        for name in ("billing", "orders", "returns")
    ]


def test_plan_all_posts_one_comment_with_a_section_per_touched_project(workspace: Workspace) -> None:
    base = workspace.git("rev-parse", "HEAD")
    for name in ("billing", "returns"):
        helper = workspace.top / "teams" / name / "helper.yaml"
        helper.write_text(HELPER + "temperature: 0.5\n", encoding="utf-8")
    workspace.commit("temperatures")
    out = str(workspace.top / "out")

    result = workspace.run(
        "plan-all", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_CHANGED_SINCE=base, ASSISTPLAN_OUT=out, ASSISTPLAN_PR="7"
    )

    assert result.returncode == 0, result.stderr
    (comment,) = workspace.github.on(7)
    assert comment["body"] == (workspace.top / "out" / "plan.md").read_text(encoding="utf-8")
    assert comment["body"].startswith("<!-- assistplan-plans -->\n### assistplan plan — 2 projects: 2 with changes")
    assert "#### assistplan plan — billing: 1 to add" in comment["body"]
    assert "#### assistplan plan — returns: 1 to add" in comment["body"]
    assert "orders" not in comment["body"]


def test_plan_all_fails_the_job_when_a_project_fails_and_comments_its_errors(workspace: Workspace) -> None:
    (workspace.top / "teams" / "orders" / "broken.yaml").write_text("kind: Agent\nname: broken\n", encoding="utf-8")
    first = workspace.run(
        "plan-all", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_OUT=str(workspace.top / "out"), ASSISTPLAN_PR="7"
    )
    (workspace.top / "teams" / "orders" / "broken.yaml").unlink()

    failed = workspace.github.on(7)[0]["body"]
    result = workspace.run(
        "plan-all", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_OUT=str(workspace.top / "out"), ASSISTPLAN_PR="7"
    )

    assert first.returncode == 1
    assert "#### assistplan plan — orders: Failed" in failed
    assert 'broken.yaml:1:1: error: missing required field "model"' in failed
    assert result.returncode == 0, result.stderr
    (comment,) = workspace.github.on(7)
    assert "#### assistplan plan — orders: 1 to add" in comment["body"]


def test_each_environment_of_a_project_gets_a_comment_of_its_own(workspace: Workspace) -> None:
    workspace.project("teams/orders", "orders", "environments:\n  staging: {vars: {topic: s}}\n  prod: {}\n")
    workspace.run("projects", ASSISTPLAN_DIR="teams/orders")

    for entry in workspace.matrix():
        out = str(workspace.top / "out" / str(entry["environment"]))
        settings = {"ASSISTPLAN_DIR": str(entry["dir"]), "ASSISTPLAN_ENV": str(entry["environment"])}
        result = workspace.run("plan", ASSISTPLAN_OUT=out, ASSISTPLAN_PR="7", **settings)
        assert result.returncode == 0, result.stderr

    firsts = [comment["body"].split("\n", 2)[:2] for comment in workspace.github.on(7)]
    assert firsts == [
        [
            "<!-- assistplan-plan:orders@staging -->",
            "### assistplan plan — orders@staging: 1 to add, 0 to change, 0 to destroy",
        ],
        [
            "<!-- assistplan-plan:orders@prod -->",
            "### assistplan plan — orders@prod: 1 to add, 0 to change, 0 to destroy",
        ],
    ]


def change_instructions(client: openai.OpenAI, text: str) -> None:
    """Edit the one assistant on the sandbox, as someone would in the dashboard."""
    (helper,) = client.beta.assistants.list()
    client.beta.assistants.update(helper.id, instructions=text)


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the Assistants API, edited as a user would
def test_drift_opens_an_issue_updates_it_and_closes_it_when_gone(workspace: Workspace) -> None:
    client = make_client(workspace.sandbox)
    settings = {"ASSISTPLAN_DIR": "teams/orders", "ASSISTPLAN_OUT": str(workspace.top / "out")}
    assert workspace.run("apply", **settings).returncode == 0
    assert workspace.run("drift", **settings).returncode == 0
    assert workspace.github.issues == {}

    change_instructions(client, "Edited in the dashboard.")
    opened = workspace.run("drift", **settings)
    change_instructions(client, "Edited again.")
    updated = workspace.run("drift", **settings)
    issue = dict(workspace.github.issues[40])
    workspace.run("apply", **settings)
    closed = workspace.run("drift", **settings, ASSISTPLAN_COMMIT="4b825dc642cb6eb9a060e54bf8d69288fbee4904")

    assert "Drift issue #40 opened" in opened.stdout, opened.stderr
    assert "Drift issue #40 updated" in updated.stdout, updated.stderr
    assert issue["title"] == "assistplan: drift in orders"
    assert "Edited again." in str(issue["body"])
    assert "Drift issue #40 closed" in closed.stdout, closed.stderr
    assert workspace.github.issues[40]["state"] == "closed"
    assert len(workspace.github.issues) == 1
    assert TOKEN not in opened.stdout + opened.stderr + closed.stdout + closed.stderr


def test_a_failed_drift_check_fails_the_job_and_leaves_the_issues_alone(workspace: Workspace) -> None:
    (workspace.top / "teams" / "orders" / "broken.yaml").write_text("kind: Agent\nname: broken\n", encoding="utf-8")

    result = workspace.run("drift", ASSISTPLAN_DIR="teams/orders", ASSISTPLAN_OUT=str(workspace.top / "out"))

    assert result.returncode == 1
    assert "the drift check failed" in result.stderr
    assert workspace.github.requests == []


def test_plan_all_replaces_the_comment_with_a_failure_report_when_the_whole_run_fails(workspace: Workspace) -> None:
    out = str(workspace.top / "out")
    workspace.run("plan-all", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_OUT=out, ASSISTPLAN_PR="7")
    workspace.project("teams/orders-copy", "orders")

    result = workspace.run("plan-all", ASSISTPLAN_PROJECTS=".", ASSISTPLAN_OUT=out, ASSISTPLAN_PR="7")

    assert result.returncode == 1
    assert "assistplan: the projects could not be planned; the errors are above." in result.stderr
    (comment,) = workspace.github.on(7)
    assert comment["body"].startswith("<!-- assistplan-plans -->\n### assistplan plan — Failed\n")
    assert "**The projects could not be planned**" in comment["body"]
    assert "orders" in comment["body"]
    assert "1 to add" not in comment["body"]
