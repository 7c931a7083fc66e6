"""The pull-request comment: summary above the fold, destructive-change banner, drift, one section per resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from assistplan.render import words
from assistplan.render.mdfields import change_body, drift_body
from assistplan.render.mdgraph import picture_blocks
from assistplan.render.mdparts import Block, alert, capped, code, escape, fit, html_text
from assistplan.render.policy import high_impact_banner, policy_section

MAX_CHARS = 60_000


def render_markdown(
    view: dict[str, Any],
    *,
    commit: str | None = None,
    max_chars: int = MAX_CHARS,
    high_impact_paths: Mapping[str, Sequence[str]] | None = None,
    footer: bool = True,
    left_out: Callable[[int], str] | None = None,
) -> str:
    """The comment, never longer than `max_chars`; `commit` defaults to the view's. Changes of the paths
    `high_impact_paths` names for their kind (see `Kind.high_impact_paths`) are flagged in a banner. Without
    `footer`, the comment ends with its last section (a section of a comment on several projects). When resources
    are left out to fit, `left_out` words the note on how many (by default: this comment's size and the JSON
    artifact)."""
    commit = commit if commit is not None else view.get("commit")
    blocks = _drift_blocks(view) + picture_blocks(view) + _change_blocks(view)

    def note(count: int) -> str:
        if left_out is not None:
            return left_out(count)
        return alert(
            "NOTE",
            [
                f"**{left_out_count(count)} not shown** to keep this comment under "
                f"{max_chars:,} characters. The full plan is in the JSON artifact (`assistplan plan --format json`)."
            ],
        )

    end = _footer(view, commit) if footer else ""
    return fit(_head(view, high_impact_paths or {}), blocks, end, max_chars, note)


def left_out_count(count: int) -> str:
    """`3 more resources`: how the note on resources left out counts them."""
    return _count(count, "more resource")


def marker(project: str) -> str:
    """The hidden first line a workflow looks for to update its own comment."""
    return f"<!-- assistplan-plan:{project} -->"


def _head(view: dict[str, Any], high_impact_paths: Mapping[str, Sequence[str]]) -> str:
    summary = view["summary"]
    changes = words.changed(view)
    drifted = len(view["resource_drift"])
    if changes:
        status = words.summary_line(summary).removeprefix("Plan: ").removesuffix(".")
        line = f"**{words.summary_line(summary)}**"
        unchanged = words.unchanged_count(view)
        extras = [f"{_count(unchanged, 'resource')} unchanged"] if unchanged else []
        extras += [f"{_count(drifted, 'object')} changed outside assistplan"] if drifted else []
        line += f" {'; '.join(extras)}." if extras else ""
    else:
        status = "No changes (drift detected)" if drifted else "No changes"
        line = escape(words.no_changes_message(view))
    parts = [f"{marker(view['project'])}\n### assistplan plan — {escape(view['project'])}: {status}", line]
    parts += _banner(changes)
    parts += high_impact_banner(changes, high_impact_paths)
    note = words.targets_note(view)
    if note:
        parts.append(alert("WARNING", [escape(note)]))
    return "\n\n".join(parts) + "\n\n" + policy_section(view)


def _banner(changes: list[dict[str, Any]]) -> list[str]:
    destructive = [rc for rc in changes if words.action_of(rc) in (words.REPLACE, words.DELETE)]
    if not destructive:
        return []
    count = _count(len(destructive), "resource")
    items = []
    for rc in destructive:
        verb = "replaced" if words.action_of(rc) == words.REPLACE else "destroyed"
        reason = words.reason_phrase(rc)
        items.append(f"- {code(rc['address'])} will be **{verb}**" + (f" (because {_md(reason)})" if reason else ""))
    lines = [f"**This plan deletes or replaces {count}:**", *capped(items, "- … and {} more")]
    renamed = [rc for rc in destructive if words.action_of(rc) == words.REPLACE and rc["remote_id"]]
    if renamed:
        olds = [f"- {code(rc['address'])}: {code(rc['remote_id'])} goes away" for rc in renamed]
        lines += [
            "",
            "Replacing gives a resource a new remote id. Application code or configuration that references an old "
            "id must be updated after apply (`assistplan output` lists the new ids):",
            *capped(olds, "- … and {} more"),
        ]
    return [alert("CAUTION", lines)]


def _drift_blocks(view: dict[str, Any]) -> list[Block]:
    blocks = []
    for drift in view["resource_drift"]:
        symbol = "-" if drift["deleted"] else "~"
        what = "deleted outside assistplan" if drift["deleted"] else "changed outside assistplan"
        title = f"{symbol} {drift['address']}"
        blocks.append(Block(partial(_drift_text, drift, title, what), f"{code(title)} {what}"))
    if blocks:
        intro = "These objects changed outside assistplan since the last apply."
        if words.changed(view):
            intro += " Unless the manifests were changed to match, the plan below reverts them."
        first = blocks[0]
        blocks[0] = Block(lambda: f"#### Changed outside assistplan\n\n{intro}\n\n{first.text}", first.entry)
    return blocks


def _drift_text(drift: dict[str, Any], title: str, what: str) -> str:
    return _details(title, what, drift_body(drift))


def _change_blocks(view: dict[str, Any]) -> list[Block]:
    blocks = []
    for rc in words.changed(view):
        action = words.action_of(rc)
        title = f"{words.SYMBOLS[action]} {rc['address']}"
        blocks.append(Block(partial(_change_text, rc, action, title), f"{code(title)} {words.VERBS[action]}"))
    if blocks:
        first = blocks[0]
        blocks[0] = Block(lambda: f"#### Changes\n\n{first.text}", first.entry)
    return blocks


def _change_text(rc: dict[str, Any], action: str, title: str) -> str:
    reason = words.reason_phrase(rc)
    what = words.VERBS[action] + (f" — because {reason}" if reason else "")
    body = change_body(rc) or "No field changes to show."
    if rc.get("notes"):
        body = "\n".join(f"- {_md(note)}" for note in rc["notes"]) + "\n\n" + body
    return _details(title, what, body)


def _details(title: str, what: str, body: str) -> str:
    summary = f"<code>{html_text(title)}</code> {html_text(what)}"
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>\n\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _md(phrase: str) -> str:
    """A reason phrase in Markdown: its `quoted` words stay code spans, everything else is escaped."""
    pieces = phrase.split("`")
    return "".join(code(p) if i % 2 else escape(p) for i, p in enumerate(pieces))


def _footer(view: dict[str, Any], commit: str | None) -> str:
    parts = ["assistplan", f"plan format {escape(view['format_version'])}"]
    if commit:
        parts.append(f"commit {escape(commit)}")
    return f"---\n<sub>{' · '.join(parts)}</sub>\n"
