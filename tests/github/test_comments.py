"""The plan comment: one per project, environment and pull request, found by its marker line, created once and then
updated."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistplan.cli import cli
from assistplan.github import (
    Comment,
    GitHubError,
    failure_comment,
    for_environment,
    pull_request_number,
    upsert_comment,
)
from assistplan.github.comments import LOG_LIMIT

from .bounded import bounded

BOT = "github-actions[bot]"
PLAN = "<!-- assistplan-plan:acme-support -->\n### assistplan plan — acme-support: 1 to add\n"
NEW_PLAN = "<!-- assistplan-plan:acme-support -->\n### assistplan plan — acme-support: 2 to add\n"


class FakeComments:
    """An in-memory `CommentsClient` that records the calls that write."""

    def __init__(self, *existing: tuple[str, str]) -> None:
        self.comments = [
            Comment(i + 1, author, body, f"https://example.test/c/{i + 1}") for i, (author, body) in enumerate(existing)
        ]
        self.writes: list[tuple[str, int, str]] = []

    def list_comments(self, issue: int) -> list[Comment]:
        return list(self.comments)

    def create_comment(self, issue: int, body: str) -> Comment:
        self.writes.append(("create", issue, body))
        comment = Comment(len(self.comments) + 1, BOT, body, f"https://example.test/c/{len(self.comments) + 1}")
        self.comments.append(comment)
        return comment

    def update_comment(self, comment_id: int, body: str) -> Comment:
        self.writes.append(("update", comment_id, body))
        index = next(i for i, c in enumerate(self.comments) if c.id == comment_id)
        self.comments[index] = Comment(comment_id, self.comments[index].author, body, self.comments[index].url)
        return self.comments[index]


def test_the_first_plan_creates_a_comment() -> None:
    client = FakeComments((BOT, "Thanks for the PR!"))

    posted = upsert_comment(client, 7, PLAN)

    assert posted.action == "created"
    assert client.writes == [("create", 7, PLAN)]


def test_a_new_plan_updates_the_comment_with_the_same_marker() -> None:
    client = FakeComments(("octocat", "LGTM"), (BOT, PLAN))

    posted = upsert_comment(client, 7, NEW_PLAN)

    assert posted.action == "updated"
    assert client.writes == [("update", 2, NEW_PLAN)]


def test_an_unchanged_plan_leaves_the_comment_alone() -> None:
    client = FakeComments((BOT, PLAN))

    assert upsert_comment(client, 7, PLAN).action == "unchanged"
    assert client.writes == []


def test_each_project_has_its_own_comment() -> None:
    other = "<!-- assistplan-plan:acme-flowise -->\n### assistplan plan — acme-flowise: No changes\n"
    client = FakeComments((BOT, other))

    upsert_comment(client, 7, PLAN)

    assert client.writes == [("create", 7, PLAN)]


def test_comments_by_other_accounts_are_never_updated_even_with_the_marker() -> None:
    client = FakeComments(("mallory", PLAN + "\nquoted by a reviewer"))

    upsert_comment(client, 7, NEW_PLAN)

    assert client.writes == [("create", 7, NEW_PLAN)]


def test_the_marker_must_be_the_first_line_of_the_existing_comment() -> None:
    client = FakeComments((BOT, "Earlier plan:\n" + PLAN))

    upsert_comment(client, 7, NEW_PLAN)

    assert client.writes == [("create", 7, NEW_PLAN)]


def test_the_oldest_matching_comment_is_the_one_updated() -> None:
    client = FakeComments((BOT, PLAN), (BOT, PLAN + "duplicate"))

    upsert_comment(client, 7, NEW_PLAN)

    assert client.writes == [("update", 1, NEW_PLAN)]


def test_another_account_can_be_named_as_the_author() -> None:
    client = FakeComments(("acme-release-bot[bot]", PLAN))

    upsert_comment(client, 7, NEW_PLAN, author="acme-release-bot[bot]")

    assert client.writes == [("update", 1, NEW_PLAN)]


def test_a_body_without_the_marker_is_refused() -> None:
    with pytest.raises(GitHubError, match="must start with an assistplan marker line"):
        upsert_comment(FakeComments(), 7, "### Plan\n")


def test_the_pull_request_number_comes_from_the_event_payload(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 42}}), encoding="utf-8")

    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) == 42


def test_a_push_event_has_no_pull_request(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")

    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) is None
    assert pull_request_number({}) is None


def test_an_unreadable_event_payload_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GitHubError, match="GITHUB_EVENT_PATH"):
        pull_request_number({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json")})


def test_an_event_payload_nested_too_deeply_is_an_error(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")

    with pytest.raises(GitHubError, match=r"GITHUB_EVENT_PATH .*: its JSON is nested too deeply to read"):
        pull_request_number({"GITHUB_EVENT_PATH": str(event)})


def test_a_fifo_event_payload_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    os.mkfifo(event)

    with pytest.raises(GitHubError, match=r"GITHUB_EVENT_PATH .*: not a regular file"):
        bounded(lambda: pull_request_number({"GITHUB_EVENT_PATH": str(event)}))


def test_a_failed_plan_replaces_the_plan_comment_with_its_errors() -> None:
    log = 'assistants/agent.yaml:3:1: error: missing required field "model"\n1 error\n'

    body = failure_comment("acme-support", log, commit="9c1e5d0")

    assert body.startswith("<!-- assistplan-plan:acme-support -->\n### assistplan plan — acme-support: Failed\n")
    assert '```text\nassistants/agent.yaml:3:1: error: missing required field "model"\n1 error\n```' in body
    assert body.endswith("<sub>assistplan · commit 9c1e5d0</sub>\n")


def test_a_failure_log_cannot_close_its_fence() -> None:
    body = failure_comment("acme-support", "error near ```yaml\n")

    assert "````text\nerror near ```yaml\n````" in body


def test_a_long_failure_log_is_cut_short() -> None:
    body = failure_comment("acme-support", "x" * (LOG_LIMIT + 500))

    assert len(body) < LOG_LIMIT + 1_000
    assert "… (500 more characters in the job log)" in body


def test_a_failure_report_never_posts_a_credential_from_the_log() -> None:
    log = "Error: 400 from server: header was Authorization: Bearer sk-proj-abcdefghijklmnop1234\n"

    comment = failure_comment("acme", log)

    assert "sk-proj-abcdefghijklmnop1234" not in comment
    assert "Error: 400 from server" in comment


@pytest.mark.parametrize(
    ("credential", "shown"),
    [
        ("https://deploy:Hunter2-pass@git.example.com/acme.git", "https://deploy:[redacted]@git.example.com/acme.git"),
        ("xoxb-123456789012-1234567890123-abcdefghijklmnop", "[redacted]"),
        ("AKIAIOSFODNN7EXAMPLE", "[redacted]"),
    ],
    ids=["url-password", "slack-token", "aws-access-key-id"],
)
def test_a_failure_report_never_posts_a_token_shaped_credential(credential: str, shown: str) -> None:
    comment = failure_comment("acme", f"Error: could not reach {credential} (connection refused)\n")

    assert credential not in comment
    assert f"Error: could not reach {shown} (connection refused)" in comment


def test_a_failure_report_never_posts_a_value_given_in_assistplan_secret_env(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTPLAN_SECRET_ENV", "WAREHOUSE_TOKEN=warehouse pass phrase\n")
    log = example.parent / "plan.log"
    log.write_text("Error: the server refused 'warehouse pass phrase'\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["--chdir", str(example), "github", "failure-report", str(log)])

    assert result.exit_code == 0, result.output
    assert "warehouse pass phrase" not in result.output
    assert "Error: the server refused '[redacted]'" in result.output


def test_a_failure_report_never_posts_the_value_of_a_variable_assistplan_secret_env_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSISTPLAN_SECRET_ENV", "WAREHOUSE_TOKEN=first value")
    monkeypatch.setenv("WAREHOUSE_TOKEN", "value set since")

    comment = failure_comment("acme", "Error: the server refused 'value set since'\n")

    assert "value set since" not in comment


def test_a_plan_of_an_environment_names_it_in_the_marker_and_the_heading() -> None:
    assert for_environment(PLAN, "staging") == (
        "<!-- assistplan-plan:acme-support@staging -->\n### assistplan plan — acme-support@staging: 1 to add\n"
    )


def test_a_plan_that_names_its_environment_or_none_is_left_as_it_is() -> None:
    named = "<!-- assistplan-plan:acme-support@prod -->\n### assistplan plan — acme-support@prod: 1 to add\n"

    assert for_environment(named, "staging") == named
    assert for_environment(PLAN, None) == PLAN


def test_each_environment_of_a_project_has_a_comment_of_its_own() -> None:
    client = FakeComments((BOT, for_environment(PLAN, "staging")))

    posted = upsert_comment(client, 7, for_environment(NEW_PLAN, "prod"))

    assert posted.action == "created"
    assert [c.body.split("\n", 1)[0] for c in client.comments] == [
        "<!-- assistplan-plan:acme-support@staging -->",
        "<!-- assistplan-plan:acme-support@prod -->",
    ]


def test_the_failure_report_of_an_environment_replaces_that_environments_comment(example: Path) -> None:
    log = example.parent / "plan.log"
    log.write_text("error: broken\n", encoding="utf-8")

    result = CliRunner().invoke(
        cli, ["--chdir", str(example), "--env", "staging", "github", "failure-report", str(log)]
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "<!-- assistplan-plan:acme-support@staging -->\n### assistplan plan — acme-support@staging: Failed\n"
    )
