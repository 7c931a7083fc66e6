"""Diagnostics as a compiler prints them: `path:line:col: error: message`, the source line, a caret under the column."""

from __future__ import annotations

from collections.abc import Callable

from assistplan.diagnostics import Diagnostic, Diagnostics, Severity

_WIDTH = 160
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_COLORS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;35m"}
_CARET = "\x1b[1;32m"
MAX_SHOWN = 100
"""Diagnostics printed in full; the rest are only counted."""


def _window(line: str, col: int, end: int) -> tuple[str, int, int]:
    """Shorten a very long source line around the column; returns the text and the shifted columns."""
    if len(line) <= _WIDTH:
        return line, col, end
    start = max(0, min(col - _WIDTH // 2, len(line) - _WIDTH))
    text = line[start : start + _WIDTH]
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + _WIDTH < len(line) else ""
    shift = len(prefix) - start
    return prefix + text + suffix, col + shift, min(end + shift, len(prefix) + len(text))


def _excerpt(diagnostic: Diagnostic, lines: list[str] | None, color: bool) -> list[str]:
    where = diagnostic.range
    if where is None or lines is None or not 1 <= where.start.line <= len(lines):
        return []
    source = lines[where.start.line - 1].rstrip("\r\n")
    col = max(0, min(where.start.col - 1, len(source)))
    end = col + 1
    if where.end is not None and where.end.line == where.start.line and where.end.col - 1 > col:
        end = min(where.end.col - 1, max(len(source), col + 1))
    text, col, end = _window(source, col, end)
    padding = "".join(char if char == "\t" else " " for char in text[:col])
    marker = "^" + "~" * max(0, end - col - 1)
    if color:
        marker = f"{_CARET}{marker}{_RESET}"
    gutter = f"{where.start.line:>5}"
    return [f"{gutter} | {text}".rstrip(), f"{' ' * len(gutter)} | {padding}{marker}"]


def _headline(diagnostic: Diagnostic, color: bool, display: Callable[[str], str]) -> str:
    severity = diagnostic.severity.value
    if color:
        severity = f"{_COLORS[diagnostic.severity]}{severity}{_RESET}"
    message = diagnostic.summary
    if diagnostic.range is None:
        prefix = f"{diagnostic.address}: " if diagnostic.address else ""
        return f"{severity}: {prefix}{message}"
    start = diagnostic.range.start
    location = f"{display(start.file)}:{start.line}:{start.col}:"
    if color:
        location = f"{_BOLD}{location}{_RESET}"
    return f"{location} {severity}: {message}"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def render_diagnostics(
    diags: Diagnostics,
    read_source: Callable[[str], list[str] | None],
    color: bool = False,
    *,
    display_path: Callable[[str], str] | None = None,
) -> str:
    """The first MAX_SHOWN diagnostics, sorted by file and position, with their source lines, then the counts.

    Source lines come from `diags.sources` when the loader recorded the file (None there: never shown), else from
    `read_source(file)` (None when unavailable); `display_path` rewrites file names for display (default: as
    recorded).
    """
    display = display_path or (lambda name: name)
    cache: dict[str, list[str] | None] = dict(diags.sources)
    ordered = diags.sorted()
    out: list[str] = []
    for diagnostic in ordered[:MAX_SHOWN]:
        out.append(_headline(diagnostic, color, display))
        lines = None
        if diagnostic.range is not None:
            file = diagnostic.range.file
            if file not in cache:
                cache[file] = read_source(file)
            lines = cache[file]
        out.extend(_excerpt(diagnostic, None if diagnostic.sensitive else lines, color))
        out.extend(f"      = note: {line}" for line in diagnostic.detail.splitlines())
    errors = sum(1 for d in diags if d.severity is Severity.ERROR)
    warnings = len(diags) - errors
    hidden = ordered[MAX_SHOWN:]
    if hidden:
        hidden_errors = sum(1 for d in hidden if d.severity is Severity.ERROR)
        parts = [_count(hidden_errors, "more error")] if hidden_errors else []
        parts += [_count(len(hidden) - hidden_errors, "more warning")] if len(hidden) > hidden_errors else []
        out.append(f"... and {' and '.join(parts)}")
    counts = [_count(errors, "error")] + ([_count(warnings, "warning")] if warnings else [])
    out.append(" and ".join(counts))
    return "\n".join(out) + "\n"


def render_annotations(diags: Diagnostics, *, display_path: Callable[[str], str] | None = None) -> str:
    """The first MAX_SHOWN diagnostics as GitHub Actions workflow commands, one line each: `::error file=F,line=L,
    col=C,endLine=L,endColumn=C,title=assistplan::message` (`::warning` for warnings), which GitHub shows as
    annotations on the files of a pull request. A diagnostic without a place is an annotation of the run.
    `display_path` rewrites file names (for example relative to the repository); the message is the summary, then
    the detail lines, escaped as the workflow commands require."""
    display = display_path or (lambda name: name)
    out: list[str] = []
    for diagnostic in diags.sorted()[:MAX_SHOWN]:
        properties: list[tuple[str, object]] = []
        message = diagnostic.summary
        where = diagnostic.range
        if where is None:
            message = f"{diagnostic.address}: {message}" if diagnostic.address else message
        else:
            properties += [("file", display(where.file)), ("line", where.start.line), ("col", where.start.col)]
            if where.end is not None and where.end.file == where.file:
                properties += [("endLine", where.end.line), ("endColumn", where.end.col)]
        properties.append(("title", "assistplan"))
        message = "\n".join([message, *diagnostic.detail.splitlines()])
        fields = ",".join(f"{name}={_escape_property(str(value))}" for name, value in properties)
        out.append(f"::{diagnostic.severity.value} {fields}::{_escape_data(message)}")
    return "".join(line + "\n" for line in out)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
