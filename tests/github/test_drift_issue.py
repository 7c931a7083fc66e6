"""`assistplan github drift-issue`: one issue per project and environment with the drift a refresh-only plan found,
opened, updated in place and closed, against the fake GitHub API."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from assistplan.cli import cli

from .bounded import bounded
from .fakegithub import BOT, FakeGitHub

SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
DRIFT = """\
<!-- assistplan-plan:acme-support -->
### assistplan plan — acme-support: No changes (drift detected)

{detail}
"""
CLEAN = "<!-- assistplan-plan:acme-support -->\n### assistplan plan — acme-support: No changes\n"
ISSUE_MARKER = "<!-- assistplan-drift:acme-support -->"


def drift_issue(fake: FakeGitHub, tmp_path: Path, body: str, *args: str, environment: str | None = None) -> Result:
    plan = tmp_path / "plan.md"
    plan.write_text(body, encoding="utf-8")
    chosen = ["--env", environment] if environment else []
    return CliRunner().invoke(cli, [*chosen, "github", "drift-issue", "--file", str(plan), *args], env=fake.env())


def open_issues(fake: FakeGitHub) -> list[dict[str, object]]:
    return [issue for issue in fake.issues.values() if issue["state"] == "open"]


def test_drift_opens_an_issue_with_the_plan(fake_github: FakeGitHub, tmp_path: Path) -> None:
    result = drift_issue(fake_github, tmp_path, DRIFT.format(detail="Agent/support: model changed"))

    assert result.exit_code == 0, result.output
    (issue,) = fake_github.issues.values()
    assert issue["title"] == "assistplan: drift in acme-support"
    assert str(issue["body"]).startswith(f"{ISSUE_MARKER}\nObjects of **acme-support** were changed outside")
    assert "Agent/support: model changed" in str(issue["body"])
    assert f"Drift issue #{issue['number']} opened: {issue['html_url']}" in result.output


def test_drift_that_lasts_updates_the_same_issue(fake_github: FakeGitHub, tmp_path: Path) -> None:
    drift_issue(fake_github, tmp_path, DRIFT.format(detail="Agent/support: model changed"))

    result = drift_issue(fake_github, tmp_path, DRIFT.format(detail="Agent/support: model and tools changed"))

    assert result.exit_code == 0, result.output
    (issue,) = fake_github.issues.values()
    assert "model and tools changed" in str(issue["body"])
    assert "updated" in result.output
    assert fake_github.calls()[-2:] == [
        "GET /repos/acme/support-bots/issues",
        "PATCH /repos/acme/support-bots/issues/40",
    ]


def test_the_same_drift_again_leaves_the_issue_alone(fake_github: FakeGitHub, tmp_path: Path) -> None:
    drift_issue(fake_github, tmp_path, DRIFT.format(detail="same"))

    result = drift_issue(fake_github, tmp_path, DRIFT.format(detail="same"))

    assert "unchanged" in result.output
    assert fake_github.calls()[-1] == "GET /repos/acme/support-bots/issues"


def test_no_drift_closes_the_issue_with_a_comment(fake_github: FakeGitHub, tmp_path: Path) -> None:
    drift_issue(fake_github, tmp_path, DRIFT.format(detail="drifted"))

    result = drift_issue(fake_github, tmp_path, CLEAN, "--resolved", "--commit", SHA)

    assert result.exit_code == 0, result.output
    (issue,) = fake_github.issues.values()
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    (comment,) = fake_github.on(int(str(issue["number"])))
    assert comment["body"] == f"The drift is gone: a refresh-only plan at commit {SHA} finds no drift. Closing."
    assert "closed" in result.output


def test_a_plan_without_drift_opens_no_issue(fake_github: FakeGitHub, tmp_path: Path) -> None:
    result = drift_issue(fake_github, tmp_path, CLEAN)

    assert result.exit_code == 0, result.output
    assert fake_github.issues == {}
    assert result.output == "No drift, and no drift issue open.\n"


def test_a_plan_without_drift_closes_the_open_issue_as_resolved_does(fake_github: FakeGitHub, tmp_path: Path) -> None:
    drift_issue(fake_github, tmp_path, DRIFT.format(detail="drifted"))

    result = drift_issue(fake_github, tmp_path, CLEAN)

    assert result.exit_code == 0, result.output
    (issue,) = fake_github.issues.values()
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    (comment,) = fake_github.on(int(str(issue["number"])))
    assert comment["body"] == "The drift is gone: a refresh-only plan finds no drift. Closing."


def test_drift_after_a_closed_issue_opens_a_new_one(fake_github: FakeGitHub, tmp_path: Path) -> None:
    drift_issue(fake_github, tmp_path, DRIFT.format(detail="first"))
    drift_issue(fake_github, tmp_path, CLEAN, "--resolved")

    drift_issue(fake_github, tmp_path, DRIFT.format(detail="second"))

    assert [issue["state"] for issue in fake_github.issues.values()] == ["closed", "open"]


def test_no_drift_and_no_issue_does_nothing(fake_github: FakeGitHub, tmp_path: Path) -> None:
    result = drift_issue(fake_github, tmp_path, CLEAN, "--resolved")

    assert result.exit_code == 0, result.output
    assert result.output == "No drift, and no drift issue open.\n"
    assert fake_github.calls() == ["GET /repos/acme/support-bots/issues"]


def test_each_environment_has_an_issue_of_its_own(fake_github: FakeGitHub, tmp_path: Path) -> None:
    drift_issue(fake_github, tmp_path, DRIFT.format(detail="staging"), environment="staging")
    drift_issue(fake_github, tmp_path, DRIFT.format(detail="prod"), environment="prod")
    drift_issue(fake_github, tmp_path, CLEAN, "--resolved", environment="staging")

    (issue,) = open_issues(fake_github)
    assert issue["title"] == "assistplan: drift in acme-support (prod)"
    assert str(issue["body"]).startswith("<!-- assistplan-drift:acme-support@prod -->\n")
    assert "### assistplan plan — acme-support@prod: No changes (drift detected)" in str(issue["body"])


def test_issues_of_other_authors_and_pull_requests_are_never_touched(fake_github: FakeGitHub, tmp_path: Path) -> None:
    body = f"{ISSUE_MARKER}\nA copy."
    fake_github.add_issue("copied by hand", body, author="octocat")
    fake_github.add_issue("a pull request", body, author=BOT, pull_request=True)

    drift_issue(fake_github, tmp_path, DRIFT.format(detail="drifted"))
    drift_issue(fake_github, tmp_path, CLEAN, "--resolved")

    assert [(issue["title"], issue["body"], issue["state"]) for issue in list(fake_github.issues.values())[:2]] == [
        ("copied by hand", body, "open"),
        ("a pull request", body, "open"),
    ]
    assert fake_github.issues[42]["state"] == "closed"


def test_a_file_that_is_not_a_plan_is_refused(fake_github: FakeGitHub, tmp_path: Path) -> None:
    result = drift_issue(fake_github, tmp_path, "# not a plan\n")

    assert result.exit_code == 1
    assert "must start with an assistplan marker line" in result.output
    assert fake_github.requests == []


def test_a_drift_report_that_is_not_utf8_is_refused(fake_github: FakeGitHub, tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_bytes(b"\xff" + CLEAN.encode())

    result = CliRunner().invoke(cli, ["github", "drift-issue", "--file", str(plan)], env=fake_github.env())

    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot read the drift report ({plan}): it is not UTF-8 text (invalid start byte at byte 0)\n"
    )
    assert fake_github.requests == []


def test_a_fifo_drift_report_is_refused_without_waiting_for_a_writer(fake_github: FakeGitHub, tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    os.mkfifo(plan)

    result = bounded(
        lambda: CliRunner().invoke(cli, ["github", "drift-issue", "--file", str(plan)], env=fake_github.env())
    )

    assert result.exit_code == 1
    assert result.output == f"Error: cannot read the drift report ({plan}): not a regular file\n"
