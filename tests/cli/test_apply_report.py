"""What apply prints while it works."""

from __future__ import annotations

import pytest

from assistplan.apply.results import ActionResult
from assistplan.cli.apply_report import ApplyHooks


def test_a_repeated_progress_message_is_printed_once(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = ApplyHooks(tty=True)

    for message in ["indexing 0/3 files", "indexing 0/3 files", "indexing 2/3 files"]:
        hooks.progress("VectorStore/handbook", message)

    assert capsys.readouterr().err.splitlines() == [
        "VectorStore/handbook: indexing 0/3 files",
        "VectorStore/handbook: indexing 2/3 files",
    ]


def test_off_a_terminal_only_finished_actions_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = ApplyHooks(tty=False)

    hooks.progress("VectorStore/handbook", "indexing 0/3 files")
    hooks.finished(ActionResult("VectorStore/handbook", "create", ok=True, seconds=1.25))

    assert capsys.readouterr().err.splitlines() == ["VectorStore/handbook: created (1.2s)"]
