"""The few GitHub REST calls the plan comment and the drift issue need, over the standard library; the token never
leaves the headers."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib import error, parse, request

from assistplan import __version__, redact
from assistplan.errors import AssistplanError

DEFAULT_API_URL = "https://api.github.com"
PAGE_SIZE = 100
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class GitHubError(AssistplanError):
    """A GitHub API call failed, or the environment does not say which repository and token to use."""


@dataclass(frozen=True)
class Comment:
    id: int
    author: str
    body: str
    url: str


@dataclass(frozen=True)
class Issue:
    number: int
    author: str
    title: str
    body: str
    url: str


class CommentsClient(Protocol):
    """Issue comments of one repository (a pull request is an issue to this API)."""

    def list_comments(self, issue: int) -> list[Comment]: ...

    def create_comment(self, issue: int, body: str) -> Comment: ...

    def update_comment(self, comment_id: int, body: str) -> Comment: ...


class IssuesClient(Protocol):
    """Issues of one repository: the open ones, a new one, an edit (title, body, closing) and a comment."""

    def list_open_issues(self) -> list[Issue]: ...

    def create_issue(self, title: str, body: str) -> Issue: ...

    def update_issue(self, number: int, fields: dict[str, str]) -> Issue: ...

    def create_comment(self, issue: int, body: str) -> Comment: ...


class RestClient:
    """`CommentsClient` and `IssuesClient` over the GitHub REST API."""

    def __init__(self, api_url: str, repository: str, token: str, *, timeout: float = 30.0) -> None:
        if not api_url.startswith(("https://", "http://")):
            raise GitHubError(f"GITHUB_API_URL must be an http:// or https:// URL, got {api_url!r}")
        if not _REPOSITORY.match(repository):
            raise GitHubError(f"GITHUB_REPOSITORY must be OWNER/NAME, got {repository!r}")
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self._token = token
        redact.register(token)
        self.timeout = timeout

    def list_comments(self, issue: int) -> list[Comment]:
        return [_comment(item) for item in self._pages(f"/repos/{self.repository}/issues/{issue}/comments", {})]

    def create_comment(self, issue: int, body: str) -> Comment:
        return _comment(self._call("POST", f"/repos/{self.repository}/issues/{issue}/comments", {"body": body}))

    def update_comment(self, comment_id: int, body: str) -> Comment:
        return _comment(self._call("PATCH", f"/repos/{self.repository}/issues/comments/{comment_id}", {"body": body}))

    def list_open_issues(self) -> list[Issue]:
        """The open issues, oldest first; pull requests (which this endpoint lists too) left out."""
        params = {"state": "open", "sort": "created", "direction": "asc"}
        items = self._pages(f"/repos/{self.repository}/issues", params)
        return [_issue(item) for item in items if "pull_request" not in item]

    def create_issue(self, title: str, body: str) -> Issue:
        return _issue(self._call("POST", f"/repos/{self.repository}/issues", {"title": title, "body": body}))

    def update_issue(self, number: int, fields: dict[str, str]) -> Issue:
        return _issue(self._call("PATCH", f"/repos/{self.repository}/issues/{number}", fields))

    def _pages(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            query = parse.urlencode({**params, "per_page": PAGE_SIZE, "page": page})
            batch = self._call("GET", f"{path}?{query}")
            items += batch
            if len(batch) < PAGE_SIZE:
                return items
            page += 1

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        req = request.Request(self.api_url + path, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("Authorization", f"Bearer {self._token}")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"assistplan/{__version__}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        where = f"{method} {path.split('?')[0]}"
        try:
            with request.urlopen(req, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except error.HTTPError as exc:
            message = redact.scrub(_message(exc))
            raise GitHubError(f"GitHub API {where} failed: {exc.code} {message}{_hint(exc.code)}") from None
        except (error.URLError, TimeoutError) as exc:
            reason = exc.reason if isinstance(exc, error.URLError) else "timed out"
            raise GitHubError(
                f"cannot reach the GitHub API at {self.api_url} ({where}): {redact.scrub(str(reason))}"
            ) from None


def client_from_env(environ: Mapping[str, str]) -> RestClient:
    """The client for the repository of a GitHub Actions run: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL."""
    if not environ.get("GITHUB_TOKEN"):
        raise GitHubError("GITHUB_TOKEN is not set: give the step `env: {GITHUB_TOKEN: ${{ github.token }}}`")
    if not environ.get("GITHUB_REPOSITORY"):
        raise GitHubError("GITHUB_REPOSITORY is not set (GitHub Actions sets it to OWNER/NAME)")
    api_url = environ.get("GITHUB_API_URL") or DEFAULT_API_URL
    return RestClient(api_url, environ["GITHUB_REPOSITORY"], environ["GITHUB_TOKEN"])


def _comment(item: dict[str, Any]) -> Comment:
    user = item.get("user") or {}
    return Comment(int(item["id"]), str(user.get("login", "")), item.get("body") or "", str(item["html_url"]))


def _issue(item: dict[str, Any]) -> Issue:
    user = item.get("user") or {}
    return Issue(
        int(item["number"]),
        str(user.get("login", "")),
        str(item.get("title") or ""),
        item.get("body") or "",
        str(item["html_url"]),
    )


def _message(exc: error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        return exc.reason or ""
    return str(body.get("message") or exc.reason or "") if isinstance(body, dict) else str(exc.reason or "")


def _hint(status: int) -> str:
    if status in (401, 403, 404):
        return (
            " (does the job's token have `pull-requests: write` for the plan comment, `issues: write` for the drift"
            " issue, and is the pull request in this repository?)"
        )
    return ""
