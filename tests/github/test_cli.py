"""The commands a workflow runs: `plan`/`show --commit`, the job summary, `github comment` and `failure-report`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli
from assistplan.github.comments import FILE_LIMIT

from .bounded import bounded
from .fakegithub import TOKEN, FakeGitHub

SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
MARKER = "<!-- assistplan-plan:acme-support -->"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_plan_names_the_commit_in_the_markdown_footer(example: Path) -> None:
    result = run("--chdir", str(example), "plan", "--format", "markdown", "--commit", SHA)

    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"<sub>assistplan · plan format 1.0 · commit {SHA}</sub>\n")


def test_the_commit_defaults_to_github_sha(example: Path) -> None:
    result = run("--chdir", str(example), "plan", "--format", "json", env={"GITHUB_SHA": SHA})

    assert json.loads(result.output)["commit"] == SHA


def test_show_names_the_commit_of_a_saved_plan(example: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.plan"
    run("--chdir", str(example), "plan", "--out", str(saved))

    result = run("show", str(saved), "--format", "markdown", "--commit", SHA)

    assert result.output.startswith(MARKER)
    assert result.output.endswith(f"commit {SHA}</sub>\n")


def test_plan_appends_the_markdown_plan_to_the_job_summary(example: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_SHA": SHA}

    text = run("--chdir", str(example), "plan", env=env)
    markdown = run("--chdir", str(example), "plan", "--format", "markdown", env=env)

    assert "Plan: 8 to add, 0 to change, 0 to destroy." in text.output
    assert summary.read_text(encoding="utf-8") == f"{markdown.output}\n{markdown.output}\n"


def test_apply_appends_what_it_did_to_the_job_summary(example: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}

    assert run("--chdir", str(example), "apply", "--auto-approve", env=env).exit_code == 0
    first = summary.read_text(encoding="utf-8")
    assert run("--chdir", str(example), "apply", "--auto-approve", env=env).exit_code == 0
    second = summary.read_text(encoding="utf-8").removeprefix(first)

    assert first.startswith("### assistplan apply — acme-support: Apply complete\n\n")
    assert "**Resources: 8 added, 0 changed, 0 destroyed.**" in first
    assert "| `Assistant/support` | create | done in " in first
    assert second == (
        "### assistplan apply — acme-support: No changes\n\nNo changes. Your assistants match the manifests.\n\n"
    )


def test_destroy_writes_a_destroy_to_the_job_summary(example: Path, tmp_path: Path) -> None:
    assert run("--chdir", str(example), "apply", "--auto-approve").exit_code == 0
    (example / "support-assistant.yaml").write_text(
        (example / "support-assistant.yaml").read_text(encoding="utf-8").replace("prevent_destroy: true", "{}"),
        encoding="utf-8",
    )
    summary = tmp_path / "summary.md"

    result = run("--chdir", str(example), "destroy", "--auto-approve", env={"GITHUB_STEP_SUMMARY": str(summary)})

    assert result.exit_code == 0, result.output
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("### assistplan destroy — acme-support: Destroy complete\n\n")
    assert "**Resources: 12 destroyed.**" in written
    assert "Apply" not in written


def test_the_comment_on_several_projects_is_posted_then_updated(
    example: Path, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    comment = tmp_path / "plans.md"
    for expected in ("created", "unchanged"):
        planned = run("plan", "--projects", str(example), "--format", "markdown")
        comment.write_text(planned.output, encoding="utf-8")

        posted = run("github", "comment", "--file", str(comment), "--pr", "7", env=fake_github.env())

        assert posted.exit_code == 0, posted.output
        assert posted.output.startswith(f"Plan comment {expected} on pull request #7")
    (body,) = [c["body"] for c in fake_github.on(7)]
    assert body.startswith("<!-- assistplan-plans -->\n### assistplan plan — 1 project: 1 with changes")


def write_plan(tmp_path: Path, title: str) -> Path:
    path = tmp_path / "plan.md"
    path.write_text(f"{MARKER}\n### assistplan plan — acme-support: {title}\n", encoding="utf-8")
    return path


def test_github_comment_posts_the_plan_then_updates_it(fake_github: FakeGitHub, tmp_path: Path) -> None:
    first = run(
        "github", "comment", "--file", str(write_plan(tmp_path, "1 to add")), "--pr", "7", env=fake_github.env()
    )
    second = run(
        "github", "comment", "--file", str(write_plan(tmp_path, "2 to add")), "--pr", "7", env=fake_github.env()
    )

    assert first.exit_code == second.exit_code == 0
    assert first.output.startswith("Plan comment created on pull request #7: https://github.com/")
    assert second.output.startswith("Plan comment updated on pull request #7: https://github.com/")
    assert [c["body"] for c in fake_github.on(7)] == [f"{MARKER}\n### assistplan plan — acme-support: 2 to add\n"]
    assert TOKEN not in first.output + second.output


def test_github_comment_finds_the_pull_request_in_the_event_payload(fake_github: FakeGitHub, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}), encoding="utf-8")

    result = run(
        "github",
        "comment",
        "--file",
        str(write_plan(tmp_path, "1 to add")),
        env={**fake_github.env(), "GITHUB_EVENT_PATH": str(event)},
    )

    assert result.exit_code == 0, result.output
    assert len(fake_github.on(12)) == 1


def test_github_comment_needs_a_pull_request(fake_github: FakeGitHub, tmp_path: Path) -> None:
    result = run("github", "comment", "--file", str(write_plan(tmp_path, "1 to add")), env=fake_github.env())

    assert result.exit_code == 1
    assert "no pull request: pass --pr N" in result.output
    assert fake_github.requests == []


@pytest.mark.parametrize("missing", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_github_comment_reports_missing_settings_without_a_traceback(
    fake_github: FakeGitHub, tmp_path: Path, missing: str
) -> None:
    env = {name: value for name, value in fake_github.env().items() if name != missing}

    result = run("github", "comment", "--file", str(write_plan(tmp_path, "1 to add")), "--pr", "7", env=env)

    assert result.exit_code == 1
    assert f"Error: {missing} is not set" in result.output
    assert "Traceback" not in result.output


def test_github_comment_reports_api_errors_without_the_token(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.failure = (403, "Resource not accessible by integration")

    result = run(
        "github", "comment", "--file", str(write_plan(tmp_path, "1 to add")), "--pr", "7", env=fake_github.env()
    )

    assert result.exit_code == 1
    assert "403 Resource not accessible by integration" in result.output
    assert TOKEN not in result.output


def test_failure_report_needs_only_the_project_config(example: Path, tmp_path: Path) -> None:
    (example / "broken.yaml").write_text("kind: Agent\n", encoding="utf-8")
    log = tmp_path / "plan.log"
    log.write_text('broken.yaml:1:1: error: missing required field "name"\n', encoding="utf-8")

    result = run("--chdir", str(example), "github", "failure-report", str(log), "--commit", SHA)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{MARKER}\n### assistplan plan — acme-support: Failed\n")
    assert 'broken.yaml:1:1: error: missing required field "name"' in result.output
    assert result.output.endswith(f"commit {SHA}</sub>\n")


def test_failure_report_without_a_project_name_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "assistplan.yaml").write_text("project: Not A Valid Name\n", encoding="utf-8")
    log = tmp_path / "plan.log"
    log.write_text("error\n", encoding="utf-8")

    result = run("--chdir", str(tmp_path), "github", "failure-report", str(log))

    assert result.exit_code == 1
    assert "names no valid project" in result.output


def test_plan_warns_when_the_job_summary_is_a_directory_and_keeps_its_exit_status(
    example: Path, tmp_path: Path
) -> None:
    result = run("--chdir", str(example), "plan", "--detailed-exitcode", env={"GITHUB_STEP_SUMMARY": str(tmp_path)})

    assert result.exit_code == 2
    assert f"Warning: cannot write the job summary to {tmp_path}: Is a directory\n" in result.stderr
    assert "Plan: 8 to add" in result.stdout


def test_plan_warns_without_waiting_when_the_job_summary_is_a_fifo_with_no_reader(
    example: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    os.mkfifo(summary)

    result = bounded(lambda: run("--chdir", str(example), "plan", env={"GITHUB_STEP_SUMMARY": str(summary)}))

    assert result.exit_code == 0
    assert f"Warning: cannot write the job summary to {summary}: No such device or address\n" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_apply_succeeds_when_the_job_summary_cannot_be_written(example: Path) -> None:
    result = run("--chdir", str(example), "apply", "--auto-approve", env={"GITHUB_STEP_SUMMARY": "/dev/full"})

    assert result.exit_code == 0
    assert "Warning: cannot write the job summary to /dev/full: No space left on device\n" in result.stderr
    assert (example / ".assistplan" / "state.json").is_file()


def test_destroy_succeeds_when_the_job_summary_directory_is_missing(example: Path, tmp_path: Path) -> None:
    assert run("--chdir", str(example), "apply", "--auto-approve").exit_code == 0
    (example / "support-assistant.yaml").write_text(
        (example / "support-assistant.yaml").read_text(encoding="utf-8").replace("prevent_destroy: true", "{}"),
        encoding="utf-8",
    )
    summary = tmp_path / "missing" / "summary.md"

    result = run("--chdir", str(example), "destroy", "--auto-approve", env={"GITHUB_STEP_SUMMARY": str(summary)})

    assert result.exit_code == 0
    assert f"Warning: cannot write the job summary to {summary}: No such file or directory\n" in result.stderr


def test_github_comment_refuses_a_file_that_is_not_utf8(fake_github: FakeGitHub, tmp_path: Path) -> None:
    comment = tmp_path / "plan.md"
    comment.write_bytes(MARKER.encode() + b"\n\xff\xfe\n")

    result = run("github", "comment", "--file", str(comment), "--pr", "7", env=fake_github.env())

    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot read the comment file ({comment}): it is not UTF-8 text (invalid start byte at byte 38)\n"
    )
    assert fake_github.requests == []


def test_github_comment_refuses_a_fifo_without_waiting_for_a_writer(fake_github: FakeGitHub, tmp_path: Path) -> None:
    comment = tmp_path / "plan.md"
    os.mkfifo(comment)

    result = bounded(lambda: run("github", "comment", "--file", str(comment), "--pr", "7", env=fake_github.env()))

    assert result.exit_code == 1
    assert result.output == f"Error: cannot read the comment file ({comment}): not a regular file\n"


def test_github_comment_refuses_a_file_larger_than_the_limit(fake_github: FakeGitHub, tmp_path: Path) -> None:
    comment = write_plan(tmp_path, "1 to add")
    with comment.open("r+b") as stream:
        stream.truncate(FILE_LIMIT + 1)

    result = run("github", "comment", "--file", str(comment), "--pr", "7", env=fake_github.env())

    assert result.exit_code == 1
    assert result.output == f"Error: cannot read the comment file ({comment}): it is larger than 4 MiB\n"


def test_github_comment_reports_an_event_payload_nested_too_deeply(fake_github: FakeGitHub, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    env = {**fake_github.env(), "GITHUB_EVENT_PATH": str(event)}

    result = run("github", "comment", "--file", str(write_plan(tmp_path, "1 to add")), env=env)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot read the event payload at GITHUB_EVENT_PATH ({event}): its JSON is nested too deeply to read\n"
    )


def test_failure_report_refuses_a_fifo_log_without_waiting_for_a_writer(example: Path, tmp_path: Path) -> None:
    log = tmp_path / "plan.log"
    os.mkfifo(log)

    result = bounded(lambda: run("--chdir", str(example), "github", "failure-report", str(log)))

    assert result.exit_code == 1
    assert result.output == f"Error: cannot read the log ({log}): not a regular file\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_failure_report_of_several_projects_refuses_a_device_log() -> None:
    result = bounded(lambda: run("github", "failure-report", "--projects", "/dev/zero"))

    assert result.exit_code == 1
    assert result.output == "Error: cannot read the log (/dev/zero): not a regular file\n"


def test_failure_report_refuses_a_log_larger_than_the_limit(example: Path, tmp_path: Path) -> None:
    log = tmp_path / "plan.log"
    with log.open("wb") as stream:
        stream.truncate(FILE_LIMIT + 1)

    result = run("--chdir", str(example), "github", "failure-report", str(log))

    assert result.exit_code == 1
    assert result.output == f"Error: cannot read the log ({log}): it is larger than 4 MiB\n"


def test_failure_report_replaces_what_is_not_utf8_in_the_log(example: Path, tmp_path: Path) -> None:
    log = tmp_path / "plan.log"
    log.write_bytes(b"error: bad byte \xff here\n")

    result = run("--chdir", str(example), "github", "failure-report", str(log))

    assert result.exit_code == 0, result.output
    assert "error: bad byte \ufffd here" in result.output
