"""Source positions and diagnostics: what every layer reports about user input, with where it came from."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """` (did you mean "x"?)` for the closest of `choices`, or nothing."""
    import difflib  # only on the way to an error

    if not isinstance(word, str):
        return ""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{found[0]}"?)' if found else ""


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
    sensitive: bool = False
    """The source line may hold a secret (a literal where only a reference is allowed): it is never shown."""

    @classmethod
    def error(
        cls,
        summary: str,
        *,
        range: SourceRange | None = None,
        address: str | None = None,
        detail: str = "",
        sensitive: bool = False,
    ) -> Diagnostic:
        return cls(Severity.ERROR, summary, detail, address, range, sensitive)

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
    """An ordered, de-duplicated collection of diagnostics, and the source lines they may be shown with.

    `sources` maps a file name (as in SourcePos.file) to its lines as the loader read them; None means the file's
    content must never be shown (it was refused, or lies outside the manifest root).
    """

    items: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str] | None] = field(default_factory=dict, compare=False)
    _seen: set[Diagnostic] = field(default_factory=set, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._seen.update(self.items)

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self._seen:
            self._seen.add(diagnostic)
            self.items.append(diagnostic)

    def error(self, summary: str, *, range: SourceRange | None = None, address: str | None = None) -> None:
        self.add(Diagnostic.error(summary, range=range, address=address))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def source(self, file: str, lines: list[str] | None) -> None:
        """Record what may be shown of `file` (None: nothing); the first record of a file wins."""
        self.sources.setdefault(file, lines)

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
    """How a file is named in diagnostics: relative to the root when inside it, else as given.

    The path is taken as written first, so a symbolic link is named by itself, not by its target.
    """
    root = root.resolve()
    for candidate in (Path(os.path.normpath(path.absolute())), path.resolve()):
        if candidate.is_relative_to(root):
            return candidate.relative_to(root).as_posix()
    return str(path)
