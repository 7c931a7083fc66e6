"""A loopback stand-in for GitHub's issues and issue-comments API: issues and comments kept in memory, every request
recorded."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPOSITORY = "acme/support-bots"
TOKEN = "ghs_fakeTokenThatMustNeverBePrinted"
BOT = "github-actions[bot]"

_LIST_OR_CREATE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<issue>\d+)/comments$")
_UPDATE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)$")
_ISSUES = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues$")
_ISSUE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)$")


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeGitHub:
    """Serves GET/POST issue comments, PATCH a comment, GET/POST issues and PATCH an issue for one repository, on
    127.0.0.1. Issues and pull requests share their numbers, as on GitHub, and the issue list holds both."""

    def __init__(self) -> None:
        self.comments: dict[int, dict[str, Any]] = {}
        self.issues: dict[int, dict[str, Any]] = {}
        self.next_number = 40
        self.requests: list[Recorded] = []
        self.next_id = 1001
        self.failure: tuple[int, str] | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def env(self) -> dict[str, str]:
        """What a GitHub Actions run would set for the comment step."""
        return {"GITHUB_API_URL": self.url, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": TOKEN}

    def add_comment(self, issue: int, body: str, *, author: str = BOT) -> int:
        comment_id = self.next_id
        self.next_id += 1
        self.comments[comment_id] = {
            "id": comment_id,
            "issue": issue,
            "body": body,
            "user": {"login": author},
            "html_url": f"https://github.com/{REPOSITORY}/pull/{issue}#issuecomment-{comment_id}",
        }
        return comment_id

    def add_issue(self, title: str, body: str, *, author: str = BOT, pull_request: bool = False) -> int:
        number = self.next_number
        self.next_number += 1
        kind = "pull" if pull_request else "issues"
        self.issues[number] = {
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "user": {"login": author},
            "html_url": f"https://github.com/{REPOSITORY}/{kind}/{number}",
            **(
                {"pull_request": {"url": f"https://api.github.com/repos/{REPOSITORY}/pulls/{number}"}}
                if pull_request
                else {}
            ),
        }
        return number

    def on(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in sorted(self.comments.values(), key=lambda c: c["id"]) if c["issue"] == issue]

    def calls(self) -> list[str]:
        return [f"{r.method} {urlsplit(r.path).path}" for r in self.requests]

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if self.failure is not None:
            return self.failure[0], {"message": self.failure[1]}
        route = urlsplit(path)
        listing = _LIST_OR_CREATE.match(route.path)
        update = _UPDATE.match(route.path)
        if listing and listing["repo"] == REPOSITORY and method == "GET":
            query = parse_qs(route.query)
            size, page = int(query["per_page"][0]), int(query["page"][0])
            return 200, self.on(int(listing["issue"]))[(page - 1) * size : page * size]
        if listing and listing["repo"] == REPOSITORY and method == "POST":
            return 201, self.comments[self.add_comment(int(listing["issue"]), body["body"])]
        if update and update["repo"] == REPOSITORY and method == "PATCH" and int(update["id"]) in self.comments:
            comment = self.comments[int(update["id"])]
            comment["body"] = body["body"]
            return 200, comment
        return self._issues(method, route.path, parse_qs(route.query), body)

    def _issues(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        listing = _ISSUES.match(path)
        one = _ISSUE.match(path)
        if listing and listing["repo"] == REPOSITORY and method == "GET":
            size, page = int(query["per_page"][0]), int(query["page"][0])
            state = query.get("state", ["open"])[0]
            found = [i for _, i in sorted(self.issues.items()) if state == "all" or i["state"] == state]
            return 200, found[(page - 1) * size : page * size]
        if listing and listing["repo"] == REPOSITORY and method == "POST":
            return 201, self.issues[self.add_issue(body["title"], body["body"])]
        if one and one["repo"] == REPOSITORY and method == "PATCH" and int(one["number"]) in self.issues:
            issue = self.issues[int(one["number"])]
            issue.update({key: body[key] for key in ("title", "body", "state", "state_reason") if key in body})
            return 200, issue
        return 404, {"message": "Not Found"}


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            headers = {name.lower(): value for name, value in self.headers.items()}
            fake.requests.append(Recorded(self.command, self.path, headers, body))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, payload = 401, {"message": "Bad credentials"}
            else:
                status, payload = fake.handle(self.command, self.path, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
