"""The job summary of a GitHub Actions step: the Markdown a run appends to the file named by GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import os
from collections.abc import Mapping

from assistplan.apply.results import ActionResult, ApplyResult
from assistplan.render import words
from assistplan.render.mdparts import code, escape, table

_OPEN_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
"""Opened without blocking: a FIFO with no reader fails at once (ENXIO), a full pipe with EAGAIN."""


def append_step_summary(markdown: str, environ: Mapping[str, str]) -> bool:
    """Append `markdown` to $GITHUB_STEP_SUMMARY when it is set; whether it was. OSError when it cannot be written
    (the file is never waited for)."""
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    data = memoryview((markdown.rstrip("\n") + "\n\n").encode("utf-8"))
    fd = os.open(path, _OPEN_FLAGS, 0o666)
    try:
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)
    return True


def apply_summary(project: str, result: ApplyResult | None, *, destroying: bool = False) -> str:
    """What an apply (`destroying`: a destroy) did, one row per action; `result` None when the plan had nothing to
    do."""
    command = "destroy" if destroying else "apply"
    title = f"### assistplan {command} — {escape(project)}"
    if result is None:
        if destroying:
            return (
                f"{title}: Nothing to destroy\n\nThe project owns no remote objects that this destroy would delete.\n"
            )
        return f"{title}: No changes\n\n{escape(words.NO_CHANGES)}\n"
    added = result.count("create") + result.count("replace")
    destroyed = result.count("delete") + result.count("delete old")
    counts = f"Resources: {added} added, {result.count('update')} changed, {destroyed} destroyed."
    if destroying:
        counts = f"Resources: {destroyed} destroyed."
    status = f"{command.capitalize()} {'complete' if result.ok else 'failed'}"
    rows = [[code(r.address, in_table=True), escape(r.step), _outcome(r)] for r in result.results]
    parts = [f"{title}: {status}", f"**{counts}**"]
    if rows:
        parts.append(table(["Resource", "Step", "Result"], rows))
    return "\n\n".join(parts) + "\n"


def _outcome(result: ActionResult) -> str:
    if result.ok:
        return f"done in {result.seconds:.1f} s"
    detail = escape(result.error or "").replace("\n", " ")
    return f"skipped: {detail}" if result.skipped else f"**failed**: {detail}"
