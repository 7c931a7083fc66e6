"""One plan comment per project and environment on a pull request: found by its hidden marker line, created once,
then updated; and reading the files a workflow hands over (comment bodies, logs, the event payload)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistplan.github.rest import Comment, CommentsClient, GitHubError
from assistplan.reading import read_existing, unreadable_json
from assistplan.redact import scrub
from assistplan.render.markdown import marker
from assistplan.render.mdparts import alert, escape, fence

ACTIONS_BOT = "github-actions[bot]"
LOG_LIMIT = 20_000
MIB = 1024 * 1024
FILE_LIMIT = 4 * MIB
"""The most a comment, drift report or failure log file may hold (GitHub takes 65,536 characters in a comment)."""
EVENT_LIMIT = 32 * MIB
"""The most an event payload may hold (GitHub sends at most 25 MB)."""
_MARKER = re.compile(
    r"^<!-- assistplan-plan(?::(?P<project>[a-z0-9-]{1,40})(?:@(?P<environment>[a-z0-9][a-z0-9-]{0,19}))?|s) -->$"
)
"""The first line of a plan comment: the project, and `@ENVIRONMENT` when the plan is of one environment; or
`assistplan-plans` for the comment on several projects (`plan --projects PATH --format markdown`)."""
_WORKFLOW_COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::")
"""The annotation lines assistplan adds in GitHub Actions: the log shows the same errors without them."""


@dataclass(frozen=True)
class Posted:
    action: Literal["created", "updated", "unchanged"]
    comment: Comment


def marker_of(body: str) -> str:
    """The marker line a plan comment starts with; GitHubError when the body is not an assistplan comment."""
    return _marker(body).group(0)


def _marker(body: str) -> re.Match[str]:
    found = _MARKER.match(body.split("\n", 1)[0].rstrip("\r"))
    if found is None:
        raise GitHubError(
            "the comment must start with an assistplan marker line such as <!-- assistplan-plan:PROJECT --> "
            "(write it with `assistplan plan --format markdown`)"
        )
    return found


def for_environment(body: str, environment: str | None) -> str:
    """The comment of a plan of ENVIRONMENT: its marker line and heading name the project as `PROJECT@ENVIRONMENT`
    (as a plan of an environment names it), so each environment of a project has a comment of its own."""
    first, _, rest = body.partition("\n")
    found = _MARKER.match(first.rstrip("\r"))
    if environment is None or found is None or found["project"] is None or found["environment"] is not None:
        return body
    project = found["project"]
    heading = f"### assistplan plan — {escape(project)}"
    if rest.startswith(heading):
        rest = f"{heading}@{escape(environment)}{rest[len(heading) :]}"
    return f"<!-- assistplan-plan:{project}@{environment} -->\n{rest}"


def marker_parts(body: str) -> tuple[str, str | None]:
    """The project and environment (None without one) named by the body's marker line; GitHubError for the comment
    on several projects, which names none."""
    found = _marker(body)
    if found["project"] is None:
        raise GitHubError("the plan of several projects names no one project: give the plan of one (no --projects)")
    return found["project"], found["environment"]


def upsert_comment(client: CommentsClient, issue: int, body: str, *, author: str = ACTIONS_BOT) -> Posted:
    """Update the oldest comment by `author` that starts with the body's marker line, or create one."""
    line = marker_of(body)
    for comment in client.list_comments(issue):
        if comment.author == author and comment.body.split("\n", 1)[0].rstrip("\r") == line:
            if comment.body == body:
                return Posted("unchanged", comment)
            return Posted("updated", client.update_comment(comment.id, body))
    return Posted("created", client.create_comment(issue, body))


def pull_request_number(environ: Mapping[str, str]) -> int | None:
    """The pull request of a `pull_request` run, from the event payload at GITHUB_EVENT_PATH; None for other runs."""
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    what = "the event payload at GITHUB_EVENT_PATH"
    text = read_input(Path(path), what, limit=EVENT_LIMIT)
    try:
        event = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise GitHubError(f"cannot read {what} ({path}): {unreadable_json(exc)}") from None
    number = (event.get("pull_request") or {}).get("number") if isinstance(event, dict) else None
    return number if isinstance(number, int) else None


def read_input(path: Path, what: str, *, limit: int = FILE_LIMIT, errors: str = "strict") -> str:
    """The UTF-8 text of the regular file at `path` (`errors` as `bytes.decode` takes them), its newlines translated
    as `Path.read_text` does. GitHubError naming `what` for anything but a regular file (a FIFO or a device is
    refused without blocking on it), for a file larger than `limit` bytes and for text that is not UTF-8."""
    try:
        data = read_existing(path, limit)
    except OSError as exc:
        raise GitHubError(f"cannot read {what} ({path}): {exc.strerror or exc}") from None
    if len(data) > limit:
        raise GitHubError(f"cannot read {what} ({path}): it is larger than {limit // MIB} MiB")
    try:
        text = data.decode("utf-8", errors)
    except UnicodeDecodeError as exc:
        reason = f"it is not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise GitHubError(f"cannot read {what} ({path}): {reason}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def failure_comment(project: str, log: str, *, commit: str | None = None) -> str:
    """The comment for a plan that could not be made: it replaces the previous plan, which is no longer current.
    The log is scrubbed as error messages are (`assistplan.redact`: the secrets of `ASSISTPLAN_SECRET_ENV` and
    anything shaped like a credential), and of the annotation lines (workflow commands) that repeat its errors for
    GitHub, before it is posted."""
    title = f"{marker(project)}\n### assistplan plan — {escape(project)}: Failed"
    why = "**The plan failed**, so there is no plan to review for this commit. The errors:"
    return _failure(title, why, log, commit)


def projects_failure_comment(log: str, *, commit: str | None = None) -> str:
    """The comment on several projects (`plan --projects`) when the run failed as a whole, before any project was
    planned: it replaces the previous comment, whose plans are no longer current. Scrubbed as `failure_comment`."""
    from assistplan.render.combined import MARKER

    why = "**The projects could not be planned**, so there is no plan to review for this commit. The errors:"
    return _failure(f"{MARKER}\n### assistplan plan — Failed", why, log, commit)


def _failure(title: str, why: str, log: str, commit: str | None) -> str:
    log = scrub("".join(line for line in log.splitlines(keepends=True) if not _WORKFLOW_COMMAND.match(line)))
    if len(log) > LOG_LIMIT:
        log = log[:LOG_LIMIT] + f"\n… ({len(log) - LOG_LIMIT:,} more characters in the job log)"
    parts = [title, alert("WARNING", [why]), fence(log.rstrip("\n").splitlines(), "text")]
    footer = ["assistplan"] + ([f"commit {escape(commit)}"] if commit else [])
    return "\n\n".join(parts) + f"\n\n---\n<sub>{' · '.join(footer)}</sub>\n"
