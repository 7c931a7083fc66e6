"""The migration report: per migrated resource, what carries over, what changes meaning, and what has no
equivalent (with the recommended route); rendered for the terminal and as Markdown."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    subject: str
    """The field or tool concerned, for example `temperature` or `function get_order_status`."""
    text: str


@dataclass
class Migrated:
    """One resource and what it became."""

    source: str
    """Its address, for example `Assistant/support`."""
    source_file: str
    created: list[str]
    """The addresses written for it."""
    written: str
    """The file they were written to."""
    carried: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)

    def carries(self, subject: str, text: str) -> None:
        self.carried.append(Entry(subject, text))

    def changes(self, subject: str, text: str) -> None:
        self.changed.append(Entry(subject, text))

    def lacks(self, subject: str, text: str) -> None:
        self.missing.append(Entry(subject, text))


@dataclass
class Report:
    title: str
    migrated: list[Migrated] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)


WIDTH = 120
SECTIONS = (
    ("carried", "Carries over"),
    ("changed", "Changes meaning"),
    ("missing", "No equivalent (recommended route)"),
)


def render_text(report: Report) -> str:
    if not report.migrated:
        return f"{report.title}: nothing to migrate.\n"
    lines = [f"{report.title}:", ""]
    for item in report.migrated:
        lines.append(f"{item.source} ({item.source_file}) -> {', '.join(item.created)} in {item.written}")
        for attribute, heading in SECTIONS:
            entries: list[Entry] = getattr(item, attribute)
            if entries:
                lines.append(f"  {heading}:")
                for entry in entries:
                    lines += textwrap.wrap(
                        f"{entry.subject}: {entry.text}", WIDTH, initial_indent="    - ", subsequent_indent="      "
                    )
        lines.append("")
    if report.next_steps:
        lines.append("Next:")
        for step in report.next_steps:
            lines += textwrap.wrap(step, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", ""]
    if not report.migrated:
        lines.append("Nothing to migrate.")
    for item in report.migrated:
        created = ", ".join(f"`{address}`" for address in item.created)
        lines += [f"## `{item.source}`", "", f"From `{item.source_file}` to {created} in `{item.written}`.", ""]
        for attribute, heading in SECTIONS:
            entries: list[Entry] = getattr(item, attribute)
            if entries:
                lines += [f"### {heading}", ""]
                lines += [f"- **{entry.subject}**: {entry.text}" for entry in entries]
                lines.append("")
    if report.next_steps:
        lines += ["## Next steps", ""]
        lines += [f"{index}. {step}" for index, step in enumerate(report.next_steps, 1)]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
