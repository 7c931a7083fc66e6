"""What apply prints while it works."""

from __future__ import annotations

import pytest

from assistplan.addrs import Address
from assistplan.apply.results import ActionResult
from assistplan.cli.apply_report import ApplyHooks


def test_a_repeated_progress_message_is_printed_once(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = ApplyHooks(tty=True)

    for message in ["indexing 0/3 files", "indexing 0/3 files", "indexing 2/3 files"]:
        hooks.progress(Address("VectorStore", "handbook"), message)

    assert capsys.readouterr().err.splitlines() == [
        "VectorStore/handbook: indexing 0/3 files",
        "VectorStore/handbook: indexing 2/3 files",
    ]


def test_off_a_terminal_only_finished_actions_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = ApplyHooks(tty=False)

    hooks.progress(Address("VectorStore", "handbook"), "indexing 0/3 files")
    hooks.finished(ActionResult(Address("VectorStore", "handbook"), "create", ok=True, seconds=1.25))

    assert capsys.readouterr().err.splitlines() == ["VectorStore/handbook: created (1.2s)"]


def test_held_lines_wait_for_release_and_keep_their_order(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = ApplyHooks(tty=False, held=True)

    hooks.finished(ActionResult(Address("Agent", "a"), "create", ok=True, seconds=0.5))
    hooks.finished(ActionResult(Address("Agent", "b"), "create", ok=False, error="boom"))
    assert capsys.readouterr().err == ""

    hooks.release()
    assert capsys.readouterr().err.splitlines() == ["Agent/a: created (0.5s)", "Agent/b: create failed: boom"]


def test_after_release_lines_are_printed_as_they_come(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = ApplyHooks(tty=False, held=True)
    hooks.release()

    hooks.finished(ActionResult(Address("Agent", "a"), "delete", ok=True, seconds=0.25))

    assert capsys.readouterr().err.splitlines() == ["Agent/a: destroyed (0.2s)"]
