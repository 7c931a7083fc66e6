"""Crashes at every point of record, compact and write: what was recorded survives, nothing is applied twice.

A crash is simulated in-process by `crashing`: the state modules' `os` is replaced by one that lets a number of file
system changes through, cuts the next write short (or fails the next rename, link, unlink, truncate or sync before
it happens) by raising `Crash`, and ignores every change after it, as a killed process makes none. A fresh store then
loads what is on disk. Real `kill -9`s of a recording process complete the picture. Nothing is timed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assistplan.state.atomic as atomic_module
import assistplan.state.store as store_module
from assistplan.state import ResourceState, StateFile, StateStore


class Crash(BaseException):
    """The process died here (a BaseException, so that no `except Exception` can carry on after it)."""


class CrashingOS:
    """`os` for the state modules: `budget` changes go through, the next one crashes, later ones do nothing."""

    CHANGES = frozenset({"write", "replace", "link", "unlink", "ftruncate", "fsync", "fdatasync"})

    def __init__(self, budget: int, cut: int) -> None:
        self.budget = budget
        self.cut = cut  # how many bytes of the crashing write land
        self.crashed = False

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name not in self.CHANGES:
            return real

        def change(*args: Any) -> Any:
            if self.crashed:
                return len(args[1]) if name == "write" else None
            if self.budget > 0:
                self.budget -= 1
                return real(*args)
            self.crashed = True
            if name == "write":
                os.write(args[0], bytes(args[1])[: min(self.cut, len(args[1]) - 1)])
            raise Crash(name)

        return change


@contextmanager
def crashing(budget: int, cut: int = 0) -> Iterator[CrashingOS]:
    """Run the block with a crash after `budget` file system changes; a store used in it is dead afterwards (its
    journal is closed when it is collected, as the kernel closes a dead process's files)."""
    fake = CrashingOS(budget, cut)
    saved = store_module.os, atomic_module.os
    store_module.os = atomic_module.os = fake  # type: ignore[assignment]
    try:
        yield fake
    finally:
        store_module.os, atomic_module.os = saved


def resource(name: str, remote_id: str) -> ResourceState:
    return ResourceState(kind="Assistant", name=name, id=remote_id, digest="ab12", applied={"name": name})


def ids(state: StateFile | None) -> dict[str, str]:
    assert state is not None
    return {address: recorded.id for address, recorded in state.resources.items()}


def started(directory: Path, *names: str) -> StateStore:
    for leftover in directory.iterdir():
        leftover.unlink()
    store = StateStore(directory / "state.json")
    store.write(StateFile.new("demo"))
    for name in names:
        store.record(f"Assistant/{name}", resource(name, f"asst_{name}"))
    return store


def changes_until_done(directory: Path, operation: str) -> int:
    """How many file system changes `operation` makes in the scenario when nothing crashes."""
    store = scenario(directory)
    with crashing(10**6) as fake:
        run(store, operation)
    return 10**6 - fake.budget


def scenario(directory: Path) -> StateStore:
    """A state with a journal that has two sessions (an interrupted run and a resumed one)."""
    started(directory, "a", "b")
    resumed = StateStore(directory / "state.json")
    resumed.load()
    resumed.record("Assistant/a", None)
    return resumed


def run(store: StateStore, operation: str) -> None:
    if operation == "record":
        store.record("Assistant/c", resource("c", "asst_c"))
    elif operation == "resume":  # a new run's first record opens the journal's third session
        resumed = StateStore(store.path)
        resumed.load()
        resumed.record("Assistant/c", resource("c", "asst_c"))
    elif operation == "compact":
        store.compact()
    else:
        current = store.current
        assert current is not None
        store.write(current.with_resource("Assistant/w", resource("w", "asst_w")))


BEFORE = {"Assistant/b": "asst_b"}
AFTER = {
    "record": {"Assistant/b": "asst_b", "Assistant/c": "asst_c"},
    "resume": {"Assistant/b": "asst_b", "Assistant/c": "asst_c"},
    "compact": BEFORE,
    "write": {"Assistant/b": "asst_b", "Assistant/w": "asst_w"},
}


@pytest.mark.parametrize("operation", ["record", "resume", "compact", "write"])
def test_a_crash_at_any_point_loads_the_state_before_or_after_and_never_fails(tmp_path: Path, operation: str) -> None:
    total = changes_until_done(tmp_path, operation)
    assert total > 0
    for budget in range(total + 1):
        for cut in (0, 7):
            store = scenario(tmp_path)
            with crashing(budget, cut):
                try:
                    run(store, operation)
                    done = True
                except Crash:
                    done = False
            loaded = StateStore(tmp_path / "state.json").load()
            assert ids(loaded) == AFTER[operation] if done else ids(loaded) in (BEFORE, AFTER[operation])
            # the serial is the one shown before, or the next one when the state changed
            assert loaded.serial in (3, 4)


def test_a_crash_at_any_point_of_compaction_never_applies_the_journal_twice(tmp_path: Path) -> None:
    total = changes_until_done(tmp_path, "compact")
    for budget in range(total):
        store = scenario(tmp_path)
        shown = StateStore(tmp_path / "state.json").load()
        with crashing(budget), pytest.raises(Crash):
            store.compact()

        loaded = StateStore(tmp_path / "state.json").load()

        assert (loaded.serial, ids(loaded)) == (shown.serial, ids(shown)), f"crash after {budget} changes"


def test_recording_and_compacting_after_a_crash_at_any_point_of_compaction_keeps_everything(tmp_path: Path) -> None:
    total = changes_until_done(tmp_path, "compact")
    for budget in range(total):
        store = scenario(tmp_path)
        with crashing(budget), pytest.raises(Crash):
            store.compact()
        resumed = StateStore(tmp_path / "state.json")
        resumed.load()

        resumed.record("Assistant/d", resource("d", "asst_d"))
        resumed.compact()

        assert not resumed.journal_path.exists()
        expected = {"Assistant/b": "asst_b", "Assistant/d": "asst_d"}
        assert ids(StateStore(tmp_path / "state.json").load()) == expected, f"crash after {budget} changes"


# -- random runs against a model

NAMES = ("a", "b", "c", "d")
STEP = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(NAMES)),
    st.tuples(st.just("remove"), st.sampled_from(NAMES)),
    st.tuples(st.just("compact"), st.just("")),
    st.tuples(st.just("write"), st.just("")),
    st.tuples(st.just("exit"), st.just("")),  # the run ends without compacting; the next one loads
)
CRASH = st.none() | st.tuples(st.integers(0, 8), st.integers(0, 200))


@settings(max_examples=100, deadline=None)
@given(steps=st.lists(st.tuples(STEP, CRASH), max_size=20))
def test_random_records_removals_compactions_and_crashes_replay_to_the_model(
    steps: list[tuple[tuple[str, str], tuple[int, int] | None]],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "state.json"
        store = started(Path(directory))
        model: dict[str, str] = {}
        seen: dict[int, dict[str, str]] = {}  # serial -> content, as loaded by each run that starts
        last_serial = 0
        for number, ((action, name), crash) in enumerate(steps):
            address, remote_id = f"Assistant/{name}", f"asst_{name}_{number}"
            after = dict(model)
            if action == "set":
                after[address] = remote_id
            elif action == "remove":
                after.pop(address, None)
            done = True
            with crashing(*crash) if crash else _nothing():
                try:
                    if action == "set":
                        store.record(address, resource(name, remote_id))
                    elif action == "remove":
                        store.record(address, None)
                    elif action == "compact":
                        store.compact()
                    elif action == "write":
                        current = store.current
                        assert current is not None
                        store.write(current)
                except Crash:
                    done = False
            if done:
                model = after
            if crash or action == "exit":
                store = StateStore(path)
                loaded = store.load()
                assert ids(loaded) in ((model,) if done else (model, after))
                model = ids(loaded)
                assert loaded is not None and loaded.serial >= last_serial
                assert seen.setdefault(loaded.serial, model) == model, "one serial shown for two states"
                last_serial = loaded.serial
            recorded = {f"Assistant/{n}": store.get(f"Assistant/{n}") for n in NAMES}
            assert {a: r.id for a, r in recorded.items() if r is not None} == model
        assert ids(StateStore(path).load()) == model


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# -- real kills

RECORDER = """
import sys
from pathlib import Path
from assistplan.state import ResourceState, StateStore

store = StateStore(Path(sys.argv[1]))
store.load()
compact_every = int(sys.argv[2])
for i in range(100_000):
    recorded = ResourceState(kind="Assistant", name=f"r{i}", id=f"asst_{i}", digest="", applied={})
    store.record(f"Assistant/r{i}", recorded)
    print(i, flush=True)
    if compact_every and i % compact_every == compact_every - 1:
        store.compact()
        print("compacted", flush=True)
"""


@pytest.mark.parametrize(("compact_every", "lines"), [(0, 40), (0, 150), (3, 60), (7, 200)])
def test_kill_9_loses_nothing_that_was_recorded(tmp_path: Path, compact_every: int, lines: int) -> None:
    path = tmp_path / "state.json"
    StateStore(path).write(StateFile.new("demo"))
    child = subprocess.Popen(
        [sys.executable, "-c", RECORDER, str(path), str(compact_every)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    acknowledged = []
    while len(acknowledged) < lines:
        line = child.stdout.readline().strip()
        if line != "compacted":
            acknowledged.append(int(line))
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()

    loaded = StateStore(path).load()

    assert loaded is not None
    assert {f"Assistant/r{i}" for i in acknowledged} <= set(loaded.resources)
