"""One drift issue per project and environment: opened when a refresh-only plan finds objects changed outside
assistplan, updated in place while the drift lasts, closed with a comment once a plan finds none (a plan whose
heading says "No changes", given to `report_drift` as to `resolve_drift`, never opens one).

The issue is found among the open issues of the account the token posts as by its hidden first line,
`<!-- assistplan-drift:PROJECT -->` (or `PROJECT@ENVIRONMENT`), written from the plan's own marker line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistplan.github.comments import ACTIONS_BOT, marker_parts
from assistplan.github.rest import Issue, IssuesClient
from assistplan.render.mdparts import escape

_NO_DRIFT = re.compile(r"^### assistplan plan — .*: No changes$")
"""The heading of a plan with no change and no drift (a plan that found drift says `No changes (drift detected)`)."""


@dataclass(frozen=True)
class DriftReport:
    action: Literal["opened", "updated", "unchanged", "closed", "none"]
    issue: Issue | None


def drift_marker(project: str, environment: str | None) -> str:
    return f"<!-- assistplan-drift:{project}{f'@{environment}' if environment else ''} -->"


def drift_title(project: str, environment: str | None) -> str:
    return f"assistplan: drift in {project}" + (f" ({environment})" if environment else "")


def drift_body(plan_markdown: str) -> str:
    """The issue for a plan that found drift: the drift marker, what the issue is for, then the plan."""
    project, environment = marker_parts(plan_markdown)
    where = escape(project) + (f" ({escape(environment)})" if environment else "")
    intro = (
        f"Objects of **{where}** were changed outside assistplan. The scheduled drift check keeps this issue up to "
        "date and closes it once a refresh-only plan finds no drift. Bring the manifests in line with the change, "
        "or run `assistplan apply` to put the objects back."
    )
    plan = plan_markdown.split("\n", 1)[1] if "\n" in plan_markdown else ""
    return f"{drift_marker(project, environment)}\n{intro}\n\n{plan}"


def report_drift(
    client: IssuesClient, plan_markdown: str, *, author: str = ACTIONS_BOT, commit: str | None = None
) -> DriftReport:
    """Open the project's drift issue with the plan, or update the one still open. A plan that found no drift opens
    none: it closes the open issue, as `resolve_drift` does (`commit` names the plan's commit in the comment)."""
    if found_no_drift(plan_markdown):
        return resolve_drift(client, plan_markdown, author=author, commit=commit)
    project, environment = marker_parts(plan_markdown)
    body = drift_body(plan_markdown)
    title = drift_title(project, environment)
    issue = _open_issue(client, drift_marker(project, environment), author)
    if issue is None:
        return DriftReport("opened", client.create_issue(title, body))
    if issue.body == body and issue.title == title:
        return DriftReport("unchanged", issue)
    return DriftReport("updated", client.update_issue(issue.number, {"title": title, "body": body}))


def resolve_drift(
    client: IssuesClient, plan_markdown: str, *, author: str = ACTIONS_BOT, commit: str | None = None
) -> DriftReport:
    """Close the project's open drift issue, saying why, when there is one."""
    project, environment = marker_parts(plan_markdown)
    issue = _open_issue(client, drift_marker(project, environment), author)
    if issue is None:
        return DriftReport("none", None)
    at = f" at commit {escape(commit)}" if commit else ""
    client.create_comment(issue.number, f"The drift is gone: a refresh-only plan{at} finds no drift. Closing.")
    return DriftReport("closed", client.update_issue(issue.number, {"state": "closed", "state_reason": "completed"}))


def found_no_drift(plan_markdown: str) -> bool:
    """Whether the plan's heading (the line after its marker) says it has no change and no drift."""
    lines = plan_markdown.split("\n", 2)
    return len(lines) > 1 and _NO_DRIFT.match(lines[1].rstrip("\r")) is not None


def _open_issue(client: IssuesClient, marker: str, author: str) -> Issue | None:
    """The oldest open issue by `author` whose first line is `marker`."""
    for issue in client.list_open_issues():
        if issue.author == author and issue.body.split("\n", 1)[0].rstrip("\r") == marker:
            return issue
    return None
