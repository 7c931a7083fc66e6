"""The Markdown section of a test run, appended to the pull-request comment and the job summary: a verdict line, a
table of the tests, and per failing turn the expectations it missed and the reply, in a collapsed block."""

from __future__ import annotations

from assistplan.render.mdparts import code, escape, fence, html_text, table
from assistplan.testing.model import ConversationResult, Report, TurnResult
from assistplan.testing.report import EXCERPT

HEADING = "### Conversation tests"


def render_markdown(report: Report) -> str:
    failed, skipped = report.failed, report.skipped
    ran = len(report.tests) - len(skipped)
    if failed:
        verdict = f":x: **{len(failed)} of {ran} conversation test{'s' if ran != 1 else ''} failed**"
    else:
        verdict = (
            f":white_check_mark: **{'All ' if ran > 1 else ''}{ran} conversation test{'s' if ran != 1 else ''} passed**"
        )
    extra = f", {len(skipped)} skipped" if skipped else ""
    parts = [HEADING, "", f"{verdict} on {escape(report.where)}{extra}.", ""]
    rows = [[code(test.address, in_table=True), code(test.target, in_table=True), _cell(test)] for test in report.tests]
    parts += [table(["Test", "Target", "Result"], rows), ""]
    for test in failed:
        parts += _details(test)
    return "\n".join(parts)


def _cell(test: ConversationResult) -> str:
    if test.skipped is not None:
        return f"skipped: {escape(test.skipped)}"
    turns = len(test.turns)
    good = sum(1 for turn in test.turns if turn.passed)
    if test.passed:
        return f":white_check_mark: {good}/{turns} turns"
    if test.error is not None:
        return ":x: not started"
    problem = test.first_problem
    where = f", first at turn {problem.number}" if problem is not None else ""
    return f":x: {good}/{turns} turns{where}"


def _details(test: ConversationResult) -> list[str]:
    if test.error is not None:
        return [
            f"<details><summary>{html_text(test.address)}: not started</summary>",
            "",
            fence([test.error]),
            "</details>",
            "",
        ]
    blocks = []
    for turn in test.turns:
        if turn.skipped is None and not turn.passed:
            blocks += _turn_details(test, turn)
    return blocks


def _turn_details(test: ConversationResult, turn: TurnResult) -> list[str]:
    lines = [f"<details><summary>{html_text(f'{test.address}: {turn.label}')}</summary>", ""]
    if turn.error is not None:
        lines += ["No reply:", "", fence([turn.error])]
    elif turn.reply is not None:
        lines += [f"- {escape(failure)}" for failure in turn.failures]
        text = turn.reply.text if len(turn.reply.text) <= EXCERPT else turn.reply.text[: EXCERPT - 1] + "…"
        lines += ["", "Reply:", "", fence(text.splitlines() or [""], "text")]
    return [*lines, "</details>", ""]
