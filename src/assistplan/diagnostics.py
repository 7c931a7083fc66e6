"""Source positions and diagnostics: what every layer reports about user input, with where it came from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourcePos:
    """A 1-based line and column in a file the user wrote.

    The manifest loader names files as the user sees them: relative to the working directory when inside it,
    else absolute, so that `file` can be both printed and opened.
    """

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class SourceRange:
    start: SourcePos
    end: SourcePos | None = None

    @property
    def file(self) -> str:
        return self.start.file

    def __str__(self) -> str:
        return str(self.start)


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    summary: str
    detail: str = ""
    address: str | None = None
    range: SourceRange | None = None

    @classmethod
    def error(
        cls, summary: str, *, range: SourceRange | None = None, address: str | None = None, detail: str = ""
    ) -> Diagnostic:
        return cls(Severity.ERROR, summary, detail, address, range)

    @classmethod
    def warning(
        cls, summary: str, *, range: SourceRange | None = None, address: str | None = None, detail: str = ""
    ) -> Diagnostic:
        return cls(Severity.WARNING, summary, detail, address, range)

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.range is None:
            return ("", 0, 0, self.summary)
        start = self.range.start
        return (start.file, start.line, start.col, self.summary)


@dataclass
class Diagnostics:
    """An ordered, de-duplicated collection of diagnostics."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def error(self, summary: str, *, range: SourceRange | None = None, address: str | None = None) -> None:
        self.add(Diagnostic.error(summary, range=range, address=address))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def relative_name(path: Path, root: Path) -> str:
    """How a file is named in diagnostics: relative to the root when inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
