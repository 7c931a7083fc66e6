"""scripts/ci-assistplan.sh, the steps of the GitHub workflow, run as the workflow runs them: a fake job summary,
a fake GitHub API on loopback for the pull-request comment, and the example stack on the embedded sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLE_TOKEN_ENV, GITHUB_VARIABLES, REPO_ROOT
from .fakegithub import TOKEN, FakeGitHub

SCRIPT = REPO_ROOT / "scripts" / "ci-assistplan.sh"
HEAD_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
MARKER = "<!-- assistplan-plan:acme-support -->"
PROBE = """\
kind: VectorStore
name: probe
description: "env {{ vars.env }}"
files: [handbook/*.md]
"""


class Job:
    """One GitHub Actions job in a temporary workspace holding `assistants/`."""

    def __init__(self, workspace: Path, github: FakeGitHub) -> None:
        self.workspace = workspace
        self.github = github
        self.summary = workspace / "step-summary.md"
        self.out = workspace / "out"

    def run(self, command: str, **settings: str) -> subprocess.CompletedProcess[str]:
        env = {name: value for name, value in os.environ.items() if name not in GITHUB_VARIABLES}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env.update(
            self.github.env(),
            GITHUB_STEP_SUMMARY=str(self.summary),
            ASSISTPLAN_DIR="assistants",
            ASSISTPLAN_OUT=str(self.out),
            **settings,
        )
        return subprocess.run(
            [str(SCRIPT), command], cwd=self.workspace, env=env, capture_output=True, text=True, timeout=300
        )

    def read(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")


def job(example: Path, github: FakeGitHub) -> Job:
    return Job(example.parent, github)


def test_plan_with_changes_succeeds_and_comments(example: Path, fake_github: FakeGitHub) -> None:
    ci = job(example, fake_github)

    result = ci.run("plan", ASSISTPLAN_PR="7", ASSISTPLAN_COMMIT=HEAD_SHA)

    assert result.returncode == 0, result.stderr
    plan_md = ci.read("plan.md")
    assert plan_md.startswith(f"{MARKER}\n### assistplan plan — acme-support: 8 to add, 0 to change, 0 to destroy\n")
    assert plan_md.endswith(f"commit {HEAD_SHA}</sub>\n")
    assert [c["body"] for c in fake_github.on(7)] == [plan_md]
    assert ci.summary.read_text(encoding="utf-8") == plan_md + "\n"
    view = json.loads(ci.read("plan.json"))
    assert (view["summary"]["add"], view["commit"]) == (8, HEAD_SHA)
    assert json.loads(ci.read("saved.plan"))["plan"]["project"] == "acme-support"
    assert "The manifests in assistants are valid" in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_every_push_updates_the_same_comment(example: Path, fake_github: FakeGitHub) -> None:
    ci = job(example, fake_github)
    ci.run("plan", ASSISTPLAN_PR="7")
    (example / "probe.yaml").write_text(PROBE, encoding="utf-8")

    result = ci.run("plan", ASSISTPLAN_PR="7")

    assert result.returncode == 0, result.stderr
    assert fake_github.calls() == [
        "GET /repos/acme/support-bots/issues/7/comments",
        "POST /repos/acme/support-bots/issues/7/comments",
        "GET /repos/acme/support-bots/issues/7/comments",
        "PATCH /repos/acme/support-bots/issues/comments/1001",
    ]
    (comment,) = fake_github.on(7)
    assert "<code>+ VectorStore/probe</code> create" in comment["body"]


def test_a_failed_plan_fails_the_check_and_replaces_the_comment(example: Path, fake_github: FakeGitHub) -> None:
    ci = job(example, fake_github)
    ci.run("plan", ASSISTPLAN_PR="7")
    (example / "broken.yaml").write_text("kind: Agent\nname: broken\n", encoding="utf-8")

    result = ci.run("plan", ASSISTPLAN_PR="7")

    assert result.returncode == 1
    assert 'broken.yaml:1:1: error: missing required field "model"' in result.stderr
    (comment,) = fake_github.on(7)
    assert comment["body"].startswith(f"{MARKER}\n### assistplan plan — acme-support: Failed\n")
    assert 'error: missing required field "model"' in comment["body"]
    assert ci.summary.read_text(encoding="utf-8").endswith(comment["body"] + "\n")
    assert not (ci.out / "plan.json").exists()
    assert not (ci.out / "saved.plan").exists()


def test_the_failure_comment_is_scrubbed_of_the_secret_environment_values(
    example: Path, fake_github: FakeGitHub
) -> None:
    secret = "svc-password-from-a-github-secret-4410"
    ci = job(example, fake_github)
    (example / "broken.yaml").write_text(
        f"kind: Agent\nname: broken\nmodel: gpt-5\ninstructionz: {secret}\n", encoding="utf-8"
    )

    result = ci.run("plan", ASSISTPLAN_PR="7", ASSISTPLAN_SECRET_ENV=f"SERVICE_PASSWORD={secret}")

    assert result.returncode == 1
    (comment,) = fake_github.on(7)
    assert "instructionz" in comment["body"]
    assert secret not in comment["body"]


def test_a_plan_without_a_pull_request_only_writes_the_summary(example: Path, fake_github: FakeGitHub) -> None:
    ci = job(example, fake_github)

    result = ci.run("plan")

    assert result.returncode == 0, result.stderr
    assert ci.summary.read_text(encoding="utf-8").startswith(MARKER)
    assert fake_github.requests == []


def test_the_plan_runs_with_the_var_files(example: Path, fake_github: FakeGitHub) -> None:
    ci = job(example, fake_github)
    (ci.workspace / "prod.yaml").write_text("env: prod\n", encoding="utf-8")
    (example / "probe.yaml").write_text(PROBE, encoding="utf-8")

    result = ci.run("plan", ASSISTPLAN_VAR_FILES="\nprod.yaml\n")

    assert result.returncode == 0, result.stderr
    assert '| `+` | `description` |  | `"env prod"` |' in ci.read("plan.md")


def test_only_the_comment_step_sees_the_github_token(example: Path, fake_github: FakeGitHub, tmp_path: Path) -> None:
    ci = job(example, fake_github)
    seen = tmp_path / "seen"
    shim = tmp_path / "shim"
    shim.mkdir()
    real = Path(sys.executable).parent / "assistplan"
    (shim / "assistplan").write_text(
        f'#!/bin/sh\necho "${{GITHUB_TOKEN:-unset}} $*" >> "{seen}"\nexec "{real}" "$@"\n', encoding="utf-8"
    )
    (shim / "assistplan").chmod(0o755)

    result = ci.run("plan", ASSISTPLAN_PR="7", PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")

    assert result.returncode == 0, result.stderr
    calls = [line.split(" ", 1) for line in seen.read_text(encoding="utf-8").splitlines()]
    commands = [args.split()[2] if args.startswith("--chdir") else args.split()[0] for _, args in calls]
    tokens = {command: token for (token, _), command in zip(calls, commands, strict=True)}
    assert tokens == {"validate": "unset", "plan": "unset", "show": "unset", "github": TOKEN}


def test_apply_then_plan_shows_no_changes(example: Path, fake_github: FakeGitHub) -> None:
    ci = job(example, fake_github)

    applied = ci.run("apply")
    planned = ci.run("plan", ASSISTPLAN_PR="7")

    assert applied.returncode == 0, applied.stderr
    assert "Apply complete! Resources: 8 added, 0 changed, 0 destroyed." in applied.stdout
    assert planned.returncode == 0, planned.stderr
    assert ci.summary.read_text(encoding="utf-8").startswith(
        "### assistplan apply — acme-support: Apply complete\n\n**Resources: 8 added, 0 changed, 0 destroyed.**"
    )
    (comment,) = fake_github.on(7)
    assert comment["body"].startswith(f"{MARKER}\n### assistplan plan — acme-support: No changes\n")


def test_a_failed_apply_fails_the_job(example: Path, fake_github: FakeGitHub) -> None:
    (example / "broken.yaml").write_text("kind: Agent\nname: broken\n", encoding="utf-8")

    result = job(example, fake_github).run("apply")

    assert result.returncode == 1
    assert "missing required field" in result.stderr
    assert not (example / ".assistplan" / "state.json").exists()


def test_an_unknown_command_is_refused(example: Path, fake_github: FakeGitHub) -> None:
    result = job(example, fake_github).run("destroy")

    assert result.returncode == 1
    assert "usage:" in result.stderr


def test_the_secret_environment_lines_reach_the_apply_and_are_masked_first(
    example: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EXAMPLE_TOKEN_ENV)
    secret = "mcp-token-from-a-github-secret-7781"

    result = job(example, fake_github).run(
        "apply", GITHUB_ACTIONS="true", ASSISTPLAN_SECRET_ENV=f"\n{EXAMPLE_TOKEN_ENV}={secret}\n"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"::add-mask::{secret}\n")
    assert secret not in result.stdout.replace(f"::add-mask::{secret}\n", "", 1) + result.stderr


def test_the_plain_environment_lines_reach_the_plan_unmasked(
    example: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EXAMPLE_TOKEN_ENV)
    ci = job(example, fake_github)
    ci.run("apply", ASSISTPLAN_ENV_LINES=f"{EXAMPLE_TOKEN_ENV}=example-token")

    result = ci.run("plan", GITHUB_ACTIONS="true", ASSISTPLAN_ENV_LINES=f"{EXAMPLE_TOKEN_ENV}=example-token")

    assert result.returncode == 0, result.stderr
    assert "::add-mask::" not in result.stdout
    assert ci.read("plan.md").startswith(f"{MARKER}\n### assistplan plan — acme-support: No changes\n")


def test_a_malformed_environment_line_stops_the_job_without_showing_it(example: Path, fake_github: FakeGitHub) -> None:
    result = job(example, fake_github).run("apply", ASSISTPLAN_SECRET_ENV="GOOD=1\nnot-a-name=hunter2-secret")

    assert result.returncode == 1
    assert "line 2 of the environment lines is not NAME=value" in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_a_plan_with_tests_runs_them_against_the_change_in_a_sandbox_and_comments_their_section(
    example: Path, fake_github: FakeGitHub
) -> None:
    ci = job(example, fake_github)

    result = ci.run("plan", ASSISTPLAN_PR="7", ASSISTPLAN_TESTS="true")

    assert result.returncode == 0, result.stderr
    plan_md = ci.read("plan.md")
    assert "### Conversation tests" in plan_md
    assert [c["body"] for c in fake_github.on(7)] == [plan_md]
    assert ci.read("tests.xml").startswith("<?xml")
    assert not (example / ".assistplan" / "state.json").exists()
