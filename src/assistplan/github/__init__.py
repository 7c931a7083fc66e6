"""GitHub Actions support: the plan comment on a pull request, the drift issue and the job summary."""

from assistplan.github.comments import (
    Posted,
    failure_comment,
    for_environment,
    projects_failure_comment,
    pull_request_number,
    upsert_comment,
)
from assistplan.github.drift import DriftReport, report_drift, resolve_drift
from assistplan.github.rest import (
    Comment,
    CommentsClient,
    GitHubError,
    Issue,
    IssuesClient,
    RestClient,
    client_from_env,
)
from assistplan.github.summary import append_step_summary, apply_summary

__all__ = [
    "Comment",
    "CommentsClient",
    "DriftReport",
    "GitHubError",
    "Issue",
    "IssuesClient",
    "Posted",
    "RestClient",
    "append_step_summary",
    "apply_summary",
    "client_from_env",
    "failure_comment",
    "for_environment",
    "projects_failure_comment",
    "pull_request_number",
    "report_drift",
    "resolve_drift",
    "upsert_comment",
]
