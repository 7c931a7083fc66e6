"""The plans of several projects planned in one run (`plan --projects`): one section per project, each its plan (as
`plan` renders it for that project alone) or the errors that kept it from being planned.

The Markdown is one pull-request comment for them all, under the size cap of a single comment: a summary table, then
the sections. When they do not all fit, the room left is shared out: a section smaller than its share keeps all of
it, and each longer one is cut to its share the way a single plan comment is (the resources left out listed, with
the command that prints that project's full plan). A section always keeps its whole heading and status: one whose
share cannot hold even its summary says only that its plan is not shown. With so many projects that the table would
take more than half the comment, its last rows are left out and counted; sections that do not fit at all are left
out and counted the same way. Nothing is ever cut mid-line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistplan.redact import scrub
from assistplan.render import words
from assistplan.render.markdown import MAX_CHARS, left_out_count, render_markdown
from assistplan.render.mdparts import alert, code, escape, fence, table

MARKER = "<!-- assistplan-plans -->"
"""The hidden first line of the comment on several projects (one such comment per pull request)."""
FAILED = "Failed"
_FENCE = re.compile(r"^(`{3,})")


@dataclass(frozen=True)
class Section:
    """One project's part: its name (`<project>` or `<project>@<environment>`), its folder, and its plan view, or
    the errors (as the command printed them) when it could not be planned."""

    name: str
    folder: str
    view: dict[str, Any] | None = None
    errors: str | None = None


def status(section: Section) -> str:
    """A project's result in a few words: its plan's counts, No changes (with drift detected), or Failed."""
    view = section.view
    if view is None:
        return FAILED
    if words.changed(view):
        return words.summary_line(view["summary"]).removeprefix("Plan: ").removesuffix(".")
    return "No changes (drift detected)" if view["resource_drift"] else "No changes"


def headline(sections: Sequence[Section]) -> str:
    """`3 projects: 1 with changes, 1 failed` (drift counts as changes, as --detailed-exitcode counts it)."""
    failed = sum(1 for s in sections if s.view is None)
    changed = sum(1 for s in sections if s.view is not None and (words.changed(s.view) or s.view["resource_drift"]))
    unchanged = len(sections) - failed - changed
    parts = [f"{changed} with changes"] if changed else []
    parts += [f"{unchanged} without"] if unchanged and (changed or failed) else []
    parts += [f"{failed} failed"] if failed else []
    noun = "project" if len(sections) == 1 else "projects"
    return f"{len(sections)} {noun}: " + (", ".join(parts) if parts else "no changes")


def render_combined_text(sections: Sequence[Section], texts: Mapping[str, str]) -> str:
    """The text output: each project's heading and its plan's text (`texts`, by name) or its errors, then the
    headline."""
    out: list[str] = []
    for section in sections:
        out.append(f"=== {section.name} ({section.folder}): {status(section)}")
        out.append("")
        body = texts.get(section.name) if section.view is not None else section.errors
        out.append((body or "").rstrip("\n"))
        out.append("")
    out.append(headline(sections) + ".")
    return "\n".join(out) + "\n"


def render_combined_markdown(
    sections: Sequence[Section],
    *,
    commit: str | None = None,
    max_chars: int = MAX_CHARS,
    high_impact_paths: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The comment on several projects, never longer than `max_chars`."""
    head = f"{MARKER}\n### assistplan plan — {escape(headline(sections))}\n\n" + _table(sections, max_chars // 2)
    footer = "---\n<sub>" + " · ".join(["assistplan"] + ([f"commit {escape(commit)}"] if commit else [])) + "</sub>\n"
    room = max(0, max_chars - len(head) - len(footer))

    def body(section: Section, limit: int, *, cut: bool = False) -> str:
        """The section in at most `limit` (`cut`: it is known not to fit whole)."""
        if section.view is None:
            return _failure(section, limit)

        def left_out(count: int) -> str:
            return alert(
                "NOTE",
                [
                    f"**{left_out_count(count)} not shown** to keep the comment on all projects under "
                    f"{max_chars:,} characters. This project's full plan: {code(_command(section))}."
                ],
            )

        text = render_markdown(
            section.view,
            commit=commit,
            max_chars=limit,
            high_impact_paths=high_impact_paths,
            footer=False,
            left_out=left_out,
        )
        if " not shown** to keep the comment on all projects" not in text and (cut or len(text) >= limit):
            return _compact(section, max_chars)
        return _demoted(text)

    full = {s.name: body(s, max_chars) for s in sections}
    shares = _shares({name: len(text) + 1 for name, text in full.items()}, room)
    parts = [
        full[s.name] if len(full[s.name]) + 1 <= shares[s.name] else body(s, shares[s.name], cut=True) for s in sections
    ]
    texts = [part.rstrip("\n") + "\n" for part in parts]

    def comment(kept: int) -> str:
        dropped = [_dropped(len(texts) - kept)] if kept < len(texts) else []
        return head + "\n".join([*texts[:kept], *dropped]) + footer

    kept = len(texts)
    while kept > 0 and len(comment(kept)) > max_chars:
        kept -= 1
    return comment(kept)


def _table(sections: Sequence[Section], limit: int) -> str:
    """The summary table, its last rows left out and counted when it would be longer than `limit`."""
    rows = [[code(s.name, in_table=True), code(s.folder, in_table=True), escape(status(s))] for s in sections]
    if not rows:
        return ""
    kept = len(rows)
    text = table(["Project", "Folder", "Plan"], rows) + "\n\n"
    while len(text) > limit and kept > 0:
        kept -= 1
        more = ["…", "…", f"{len(rows) - kept} more projects not listed"]
        text = table(["Project", "Folder", "Plan"], [*rows[:kept], more]) + "\n\n"
    return text


def _dropped(count: int) -> str:
    """The note on the sections left out whole."""
    noun = "project" if count == 1 else "projects"
    return alert("NOTE", [f"**{count} more {noun} not shown**: this comment has no room left for them."]) + "\n"


def _compact(section: Section, max_chars: int) -> str:
    """A section whose share cannot hold its plan's summary: its heading and status, and where its plan is."""
    title = f"#### assistplan plan — {escape(section.name)}: {escape(status(section))}\n\n"
    note = alert(
        "NOTE",
        [
            f"**This project's plan is not shown** to keep the comment on all projects under {max_chars:,} "
            f"characters. Its full plan: {code(_command(section))}."
        ],
    )
    return title + note + "\n"


def _command(section: Section) -> str:
    """The command that prints a project's full plan, run where `plan --projects` ran."""
    _, _, environment = section.name.partition("@")
    env = f" --env {environment}" if environment else ""
    return f"assistplan --chdir {section.folder}{env} plan --format json"


def _shares(sizes: Mapping[str, int], room: int) -> dict[str, int]:
    """Each section's room: its whole size when it fits in an even share of what the smaller ones leave, else that
    share."""
    shares: dict[str, int] = {}
    left, count = room, len(sizes)
    for name, size in sorted(sizes.items(), key=lambda item: item[1]):
        share = left // count
        shares[name] = min(size, share)
        left -= shares[name]
        count -= 1
    return shares


def _demoted(text: str) -> str:
    """A single plan comment as a section: without its marker line, its headings one level down (lines of fenced
    code stay as they are)."""
    first, _, rest = text.partition("\n")
    lines = (rest if first.startswith("<!--") else text).split("\n")
    fence_open: str | None = None
    for number, line in enumerate(lines):
        ticks = _FENCE.match(line)
        if fence_open is None and ticks is not None:
            fence_open = ticks.group(1)
        elif fence_open is not None and line.rstrip() == fence_open:
            fence_open = None
        elif fence_open is None and line.startswith("#"):
            lines[number] = "#" + line
    return "\n".join(lines)


def _failure(section: Section, limit: int) -> str:
    """A project that could not be planned: its errors, scrubbed of anything shaped like a credential."""
    title = f"#### assistplan plan — {escape(section.name)}: {FAILED}\n\n"
    note = alert("WARNING", ["**The plan failed**, so there is no plan to review for this project. The errors:"])
    log = scrub(section.errors or "").rstrip("\n")
    room = max(0, limit - len(title) - len(note) - 20)
    if len(log) > room:
        log = log[:room] + "\n…"
    return f"{title}{note}\n\n{fence(log.splitlines(), 'text')}\n"
