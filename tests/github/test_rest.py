"""The REST client against a fake GitHub on loopback: the calls, their headers, paging and errors."""

from __future__ import annotations

import socket

import pytest

from assistplan.github import GitHubError, RestClient, client_from_env

from .fakegithub import BOT, REPOSITORY, TOKEN, FakeGitHub


def client(fake: FakeGitHub) -> RestClient:
    return client_from_env(fake.env())


def test_create_list_and_update_a_comment(fake_github: FakeGitHub) -> None:
    github = client(fake_github)

    created = github.create_comment(7, "first")
    updated = github.update_comment(created.id, "second")

    assert [(c.id, c.author, c.body) for c in github.list_comments(7)] == [(created.id, BOT, "second")]
    assert updated.url == f"https://github.com/{REPOSITORY}/pull/7#issuecomment-{created.id}"
    assert fake_github.calls() == [
        f"POST /repos/{REPOSITORY}/issues/7/comments",
        f"PATCH /repos/{REPOSITORY}/issues/comments/{created.id}",
        f"GET /repos/{REPOSITORY}/issues/7/comments",
    ]


def test_requests_carry_the_token_and_the_api_version(fake_github: FakeGitHub) -> None:
    client(fake_github).list_comments(7)

    headers = fake_github.requests[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["user-agent"].startswith("assistplan/")


def test_listing_reads_every_page(fake_github: FakeGitHub) -> None:
    for n in range(230):
        fake_github.add_comment(7, f"comment {n}")

    comments = client(fake_github).list_comments(7)

    assert [c.body for c in comments] == [f"comment {n}" for n in range(230)]
    assert [r.path.split("?")[1] for r in fake_github.requests] == [
        "per_page=100&page=1",
        "per_page=100&page=2",
        "per_page=100&page=3",
    ]


def test_an_api_error_names_the_call_and_github_message_but_never_the_token(fake_github: FakeGitHub) -> None:
    fake_github.failure = (403, "Resource not accessible by integration")

    with pytest.raises(GitHubError) as caught:
        client(fake_github).create_comment(7, "plan")

    message = str(caught.value)
    assert message.startswith(
        f"GitHub API POST /repos/{REPOSITORY}/issues/7/comments failed: 403 Resource not accessible by integration"
    )
    assert "pull-requests: write" in message
    assert TOKEN not in message


def test_a_wrong_token_is_reported(fake_github: FakeGitHub) -> None:
    github = RestClient(fake_github.url, REPOSITORY, "ghs_wrong")

    with pytest.raises(GitHubError, match="401 Bad credentials"):
        github.list_comments(7)


def test_an_unreachable_api_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    github = RestClient(f"http://127.0.0.1:{port}", REPOSITORY, TOKEN, timeout=5)

    with pytest.raises(GitHubError, match=rf"cannot reach the GitHub API at http://127.0.0.1:{port}"):
        github.list_comments(7)


def test_the_token_and_repository_come_from_the_environment() -> None:
    with pytest.raises(GitHubError, match="GITHUB_TOKEN is not set"):
        client_from_env({"GITHUB_REPOSITORY": REPOSITORY})
    with pytest.raises(GitHubError, match="GITHUB_REPOSITORY is not set"):
        client_from_env({"GITHUB_TOKEN": TOKEN})


def test_the_api_url_defaults_to_github() -> None:
    assert client_from_env({"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPOSITORY}).api_url == "https://api.github.com"


@pytest.mark.parametrize("repository", ["acme", "acme/bots/../../users", "acme/bots?x=1"])
def test_a_malformed_repository_is_refused(repository: str) -> None:
    with pytest.raises(GitHubError, match="OWNER/NAME"):
        RestClient("https://api.github.com", repository, TOKEN)


def test_the_api_url_must_be_http() -> None:
    with pytest.raises(GitHubError, match="GITHUB_API_URL"):
        RestClient("file:///etc/passwd", REPOSITORY, TOKEN)
