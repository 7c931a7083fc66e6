"""The cyclic garbage collector's schedule: off while a command run as a program loads and plans, on again (with what
was built frozen out) before an apply's requests; left alone when the command is called from other code."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from assistplan.cli import collector


@pytest.fixture(autouse=True)
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.enable()
    gc.set_threshold(*threshold)


@pytest.fixture
def program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "_program", False)
    collector.run_as_program()


def test_called_from_other_code_the_collector_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "_program", False)

    collector.pause()

    assert gc.isenabled()


@pytest.mark.usefixtures("program")
def test_run_as_program_the_oldest_objects_are_collected_less_often() -> None:
    assert gc.get_threshold()[2] == collector.OLD_COLLECTIONS


@pytest.mark.usefixtures("program")
def test_run_as_program_loading_and_planning_collect_nothing() -> None:
    collector.pause()

    assert not gc.isenabled()


@pytest.mark.usefixtures("program")
def test_before_an_apply_the_collector_runs_again_leaving_out_what_was_built() -> None:
    kept = [[index] for index in range(1000)]
    collector.pause()

    collector.resume()

    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


@pytest.mark.usefixtures("program")
def test_run_as_program_what_the_command_built_is_kept_to_the_end_of_the_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collector, "_kept", [])
    built = {"plan": [1, 2, 3]}

    collector.keep(built)

    assert collector._kept == [built]


def test_called_from_other_code_nothing_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "_program", False)
    monkeypatch.setattr(collector, "_kept", [])

    collector.keep({"plan": []})

    assert collector._kept == []
