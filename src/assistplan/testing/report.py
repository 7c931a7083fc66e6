"""The readable report of a test run: each test with its turns (a failing turn with the expectation it missed and an
excerpt of the reply), then the totals. Pure functions of the results; styles only when `color`."""

from __future__ import annotations

import json

import click

from assistplan.testing.model import ConversationResult, Report, TurnResult

EXCERPT = 300
"""Characters of a reply shown."""


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The reply as one quoted line, cut at `limit` characters."""
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= limit else flat[: limit - 1] + "…", ensure_ascii=False)


def _style(text: str, color: bool, **styles: object) -> str:
    return click.style(text, **styles) if color else text  # type: ignore[arg-type]


def render_result(result: ConversationResult, *, color: bool = False) -> str:
    """One test: its verdict line and a line per turn, with the details of what failed."""
    if result.skipped is not None:
        return f"{_style('SKIP', color, fg='yellow')} {result.address} -> {result.target}: {result.skipped}\n"
    verdict = _style("PASS", color, fg="green") if result.passed else _style("FAIL", color, fg="red", bold=True)
    lines = [f"{verdict} {result.address} -> {result.target} ({result.source})"]
    if result.error is not None:
        lines.append(f"    {result.error}")
    lines.extend(line for turn in result.turns for line in _turn_lines(turn, color))
    return "\n".join(lines) + "\n"


def _turn_lines(turn: TurnResult, color: bool) -> list[str]:
    if turn.skipped is not None:
        return [f"  - {turn.label}: {turn.skipped}"]
    if turn.error is not None:
        return [f"  {_style('x', color, fg='red')} {turn.label}: no reply", f"      {turn.error}"]
    assert turn.reply is not None
    timing = f"{turn.reply.latency_ms:.0f} ms"
    if turn.passed:
        return [f"  {_style('ok', color, fg='green')} {turn.label} ({timing})"]
    lines = [f"  {_style('x', color, fg='red')} {turn.label} ({timing})"]
    lines.extend(f"      {failure}" for failure in turn.failures)
    lines.append(f"      reply: {excerpt(turn.reply.text)}")
    if turn.reply.calls:
        lines.append(f"      functions called: {', '.join(call.name for call in turn.reply.calls)}")
    return lines


def summary(report: Report) -> str:
    """The totals line: `Tests: 2 passed, 1 failed, 1 skipped (5 turns).`"""
    turns = sum(len(test.turns) for test in report.tests)
    parts = [f"{len(report.passed)} passed", f"{len(report.failed)} failed"]
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    return f"Tests: {', '.join(parts)} ({turns} turn{'s' if turns != 1 else ''}, on {report.where})."
