"""GitHub Actions support: the plan comment on a pull request and the job summary."""

from assistplan.github.comments import Posted, failure_comment, pull_request_number, upsert_comment
from assistplan.github.rest import Comment, CommentsClient, GitHubError, RestClient, client_from_env
from assistplan.github.summary import append_step_summary, apply_summary

__all__ = [
    "Comment",
    "CommentsClient",
    "GitHubError",
    "Posted",
    "RestClient",
    "append_step_summary",
    "apply_summary",
    "client_from_env",
    "failure_comment",
    "pull_request_number",
    "upsert_comment",
]
