"""Markdown building blocks: escaping, code spans and fences sized to their content, tables, and size budgets."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_BACKTICKS = re.compile(r"`+")
_TICKED = re.compile(r"`([^`]*)`")
LIST_CAP = 50


def escape(text: str) -> str:
    """Inline plain text with its Markdown and HTML special characters backslash-escaped (never at a line start)."""
    return _SPECIAL.sub(r"\\\1", text)


def html_text(text: str) -> str:
    """Text for inside an HTML element (such as `<summary>`): escaped, with `quoted` words as `<code>`."""
    return _TICKED.sub(r"<code>\1</code>", html.escape(text, quote=False))


def _longest_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def code(text: str, *, in_table: bool = False) -> str:
    """An inline code span that holds any text, backticks included; pipes escaped inside tables."""
    ticks = "`" * (_longest_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    span = f"{ticks}{pad}{text}{pad}{ticks}"
    return span.replace("|", "\\|") if in_table else span


def fence(lines: list[str], lang: str = "") -> str:
    """A fenced code block longer than any backtick run in its content, so the content can never close it."""
    ticks = "`" * max(3, _longest_run("\n".join(lines)) + 1)
    return "\n".join([f"{ticks}{lang}", *lines, ticks])


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def alert(kind: str, lines: list[str]) -> str:
    """A GitHub alert (`NOTE`, `WARNING`, `CAUTION`, ...): a blockquote that starts with `[!KIND]`."""
    return "\n".join(f"> {line}" if line else ">" for line in [f"[!{kind}]", *lines])


def capped(items: list[str], more: str) -> list[str]:
    """At most LIST_CAP items, the rest summarised by `more` (formatted with their count)."""
    if len(items) <= LIST_CAP:
        return items
    return [*items[:LIST_CAP], more.format(len(items) - LIST_CAP)]


@dataclass(frozen=True)
class Block:
    """A piece of the comment, its text made on first use (a comment shows the blocks that fit its budget, and only
    lists the others); `entry` is its line in the list of what was left out, None for no resource. An `optional`
    block is shown only when the whole comment fits with it."""

    make: Callable[[], str]
    entry: str | None = None
    optional: bool = False

    @cached_property
    def text(self) -> str:
        return self.make()


def fit(head: str, blocks: list[Block], footer: str, max_chars: int, note: Callable[[int], str]) -> str:
    """The comment in at most `max_chars`: as many blocks as fit, then `note` and a list of the blocks left out.

    Optional blocks go first when not everything fits. `note` is given the number of resources left out. The list
    names every one of them unless that list alone would take more than half the budget, in which case it is cut
    short to fit.
    """
    room = max_chars - len(head) - len(footer)
    sizes = [0]  # the blocks' sizes added up, as far as the first one past the budget
    for block in blocks:
        if sizes[-1] > room:
            break
        sizes.append(sizes[-1] + len(block.text))
    if len(sizes) > len(blocks) and sizes[-1] <= room:
        return head + "".join(b.text for b in blocks) + footer
    if any(b.optional for b in blocks):
        return fit(head, [b for b in blocks if not b.optional], footer, max_chars, note)
    for kept in range(len(sizes) - 1, -1, -1):
        used = len(head) + sizes[kept] + len(footer)
        if used > max_chars:
            continue
        rest = _omitted(blocks[kept:], note, max_chars - used, max_chars // 2)
        if rest is not None:
            return head + "".join(b.text for b in blocks[:kept]) + rest + footer
    return (head + footer)[:max_chars]


def _omitted(blocks: list[Block], note: Callable[[int], str], budget: int, cap_above: int) -> str | None:
    entries = [b.entry for b in blocks if b.entry is not None]
    text = _omitted_text(entries, len(entries), note)
    if len(text) <= budget:
        return text
    if len(text) <= cap_above:
        return None
    room = budget - len(_omitted_text([], len(entries), note))
    shown = 0
    for entry in entries:
        room -= len(f"- {entry}\n")
        if room < 0:
            break
        shown += 1
    text = _omitted_text(entries[:shown], len(entries), note)
    return text if len(text) <= budget else None


def _omitted_text(entries: list[str], total: int, note: Callable[[int], str]) -> str:
    lines = [note(total), ""]
    lines += [f"- {entry}" for entry in entries]
    if len(entries) < total:
        lines.append(f"- … and {total - len(entries)} more")
    return "\n".join(lines) + "\n\n"
