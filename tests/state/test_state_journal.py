"""The state journal: records go to `<state>.journal`, load replays it, compact and write fold it into the state file.

No test here times anything: that a record's cost does not grow with the state is shown by what it writes.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistplan.errors import StateError
from assistplan.plan.refresh import new_inventory
from assistplan.state import ResourceState, StateFile, StateLock, StateStore
from assistplan.state import store as store_module


def resource(name: str, remote_id: str = "asst_1") -> ResourceState:
    return ResourceState(kind="Assistant", name=name, id=remote_id, digest="ab12", applied={"name": name})


def state_with(count: int) -> StateFile:
    resources = {f"Assistant/r{i}": resource(f"r{i}", f"asst_r{i}") for i in range(count)}
    return StateFile.new("demo").model_copy(update={"resources": resources})


def ids(state: StateFile | None) -> dict[str, str]:
    assert state is not None
    return {address: recorded.id for address, recorded in state.resources.items()}


def journal_lines(store: StateStore) -> list[dict[str, object]]:
    return [json.loads(line) for line in store.journal_path.read_text().splitlines()]


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    written = StateStore(tmp_path / "state.json")
    written.write(StateFile.new("demo"))
    return written


# -- recording and replaying


def test_record_then_reload_replays_the_journal(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))
    store.record("Assistant/b", resource("b", "asst_b"))
    store.record("Assistant/a", None)

    assert ids(StateStore(store.path).load()) == {"Assistant/b": "asst_b"}


def test_records_made_in_one_second_keep_the_order_they_were_made_in_once_compacted(store: StateStore) -> None:
    made = [f"r{index:02}" for index in range(30)]  # the state file keeps its addresses in this order
    for name in made:
        store.record(f"Assistant/{name}", resource(name, f"asst_{name}"))
    store.compact()

    state = StateStore(store.path).load()

    # listings start after the most recently recorded ids first (assistplan.providers.paging)
    assert new_inventory("demo", state).recorded["Assistant"] == [f"asst_{name}" for name in reversed(made)]


def test_the_journal_lives_beside_the_state_file_and_starts_with_a_header(store: StateStore) -> None:
    state = store.current
    store.record("Assistant/a", resource("a"))

    assert store.journal_path == store.path.with_name("state.json.journal")
    assert journal_lines(store)[0] == {"journal": 1, "lineage": state.lineage, "serial": 1}
    assert journal_lines(store)[1]["set"] == "Assistant/a"


def test_record_leaves_the_state_file_untouched(store: StateStore) -> None:
    before = os.stat(store.path)
    content = store.path.read_bytes()

    for i in range(20):
        store.record(f"Assistant/a{i}", resource(f"a{i}"))

    after = os.stat(store.path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert store.path.read_bytes() == content
    assert not store.backup_path.exists()


def test_bytes_written_per_record_do_not_depend_on_the_number_of_resources(tmp_path: Path) -> None:
    def appended_by_one_record(count: int) -> int:
        store = StateStore(tmp_path / f"state-{count}.json")
        store.write(state_with(count))
        store.record("Assistant/first", resource("first"))  # opens the journal
        before = store.journal_path.stat().st_size
        store.record("Assistant/next", resource("next"))
        return store.journal_path.stat().st_size - before

    assert appended_by_one_record(10) == appended_by_one_record(3000)


def test_record_builds_no_snapshot_of_the_whole_state(store: StateStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write(state_with(1000))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a whole-state snapshot was built")

    monkeypatch.setattr(StateFile, "model_construct", refuse)
    monkeypatch.setattr(StateFile, "model_copy", refuse)
    monkeypatch.setattr(StateFile, "model_dump_json", refuse)
    for i in range(50):
        store.record(f"Assistant/a{i}", resource(f"a{i}"))

    assert store.get("Assistant/a49") is not None


def test_get_returns_what_was_recorded_and_none_once_removed(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))
    assert store.get("Assistant/a").id == "asst_a"

    store.record("Assistant/a", None)
    assert store.get("Assistant/a") is None


def test_current_is_one_snapshot_until_the_next_change(store: StateStore) -> None:
    first = store.current
    assert store.current is first

    store.record("Assistant/a", resource("a"))

    assert store.current is not first
    assert store.current is store.current
    assert "Assistant/a" in store.current.resources


def test_many_threads_recording_concurrently_leave_a_consistent_state_after_reload(store: StateStore) -> None:
    threads, per_thread = 16, 25
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        start.wait()
        try:
            for i in range(per_thread):
                store.record(f"Assistant/w{worker}-{i}", resource(f"w{worker}-{i}", f"asst_{worker}_{i}"))
                if i % 5 == 4:
                    store.record(f"Assistant/w{worker}-{i - 1}", None)
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert errors == []
    expected = {f"Assistant/w{w}-{i}": f"asst_{w}_{i}" for w in range(threads) for i in range(per_thread) if i % 5 != 3}
    reloaded = StateStore(store.path).load()
    assert ids(reloaded) == expected == ids(store.current)
    assert reloaded.serial == 2
    assert len(journal_lines(store)) == 1 + threads * per_thread * 6 // 5


# -- torn and corrupt journals


def test_a_torn_last_line_is_ignored_on_replay(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))
    store.record("Assistant/b", resource("b", "asst_b"))
    content = store.journal_path.read_bytes()
    store.journal_path.write_bytes(content[:-20])

    assert ids(StateStore(store.path).load()) == {"Assistant/a": "asst_a"}


def test_recording_after_a_torn_last_line_cuts_it_off_first(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))
    store.record("Assistant/b", resource("b", "asst_b"))
    store.journal_path.write_bytes(store.journal_path.read_bytes()[:-20])
    resumed = StateStore(store.path)
    resumed.load()

    resumed.record("Assistant/c", resource("c", "asst_c"))

    assert ids(StateStore(store.path).load()) == {"Assistant/a": "asst_a", "Assistant/c": "asst_c"}
    assert [line.get("set", line.get("session")) for line in journal_lines(store)[1:]] == [
        "Assistant/a",
        2,
        "Assistant/c",
    ]


def test_a_journal_whose_header_is_torn_is_ignored(store: StateStore) -> None:
    store.journal_path.write_bytes(b'{"journal": 1, "lin')

    assert ids(StateStore(store.path).load()) == {}


def test_a_corrupt_middle_line_is_an_error_naming_the_journal_and_line(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    store.record("Assistant/b", resource("b"))
    lines = store.journal_path.read_bytes().splitlines(keepends=True)
    store.journal_path.write_bytes(lines[0] + b'{"set": "Assistant/a", "resou\n' + lines[2])

    with pytest.raises(StateError, match=r"state journal .*state\.json\.journal is corrupt at line 2: not valid JSON"):
        StateStore(store.path).load()


def test_a_line_nested_too_deeply_is_an_error_naming_the_journal_and_line(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    store.record("Assistant/b", resource("b"))
    lines = store.journal_path.read_bytes().splitlines(keepends=True)
    store.journal_path.write_bytes(lines[0] + b"[" * 100_000 + b"]" * 100_000 + b"\n" + lines[2])

    with pytest.raises(StateError, match=r"journal is corrupt at line 2: its JSON is nested too deeply to read"):
        StateStore(store.path).load()


def test_a_complete_last_line_that_cannot_be_read_is_an_error_not_a_torn_write(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    with store.journal_path.open("ab") as journal:
        journal.write(b"garbage\n")

    with pytest.raises(StateError, match="is corrupt at line 3"):
        StateStore(store.path).load()


def test_a_recorded_resource_that_fails_validation_is_an_error(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    lines = journal_lines(store)
    del lines[1]["resource"]["id"]  # type: ignore[attr-defined]
    store.journal_path.write_text("".join(json.dumps(line) + "\n" for line in lines))

    with pytest.raises(StateError, match=r"corrupt at line 2: invalid resource for Assistant/a: id: Field required"):
        StateStore(store.path).load()


def test_a_journal_from_a_newer_assistplan_asks_for_an_upgrade(store: StateStore) -> None:
    store.journal_path.write_text(json.dumps({"journal": 2, "lineage": store.current.lineage, "serial": 1}) + "\n")

    with pytest.raises(StateError, match=r"has version 2, written by a newer assistplan.*upgrade assistplan"):
        StateStore(store.path).load()


# -- a journal beside a state it was not written for


def test_a_journal_of_another_lineage_is_refused_naming_both_files(store: StateStore) -> None:
    old_lineage = store.current.lineage
    store.record("Assistant/a", resource("a"))
    other = StateFile.new("demo").model_copy(update={"serial": 1})
    store.path.write_text(other.model_dump_json())

    with pytest.raises(StateError) as raised:
        StateStore(store.path).load()

    message = str(raised.value)
    assert f"state journal {store.journal_path} was written for the state of lineage {old_lineage}" in message
    assert f"the state file {store.path} is another one (lineage {other.lineage}, serial 1)" in message
    assert "Move state.json.journal away to use the state file as it is" in message


def test_a_journal_beside_a_restored_backup_is_refused(store: StateStore) -> None:
    store.write(store.current)  # serial 2, the backup holds serial 1
    store.record("Assistant/a", resource("a"))
    shutil.copyfile(store.backup_path, store.path)

    with pytest.raises(StateError, match=r"extends serial 2 .* has serial 1 \(restored from state\.json\.backup"):
        StateStore(store.path).load()


def test_a_journal_without_its_state_file_is_refused(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    store.path.unlink()

    with pytest.raises(
        StateError, match=r"but the state file .*state\.json is missing.*move state\.json\.journal away"
    ):
        StateStore(store.path).load()


def test_a_refused_journal_is_left_in_place(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    content = store.journal_path.read_bytes()
    store.path.write_text(StateFile.new("demo").model_dump_json())

    with pytest.raises(StateError):
        StateStore(store.path).load()
    with pytest.raises(StateError):
        StateStore(store.path).compact()

    assert store.journal_path.read_bytes() == content


# -- compaction


def test_compact_folds_the_journal_into_the_state_file_and_removes_it(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))

    store.compact()

    assert not store.journal_path.exists()
    assert json.loads(store.path.read_text())["resources"]["Assistant/a"]["id"] == "asst_a"


class CompactingBetween(StateStore):
    """A store whose record of `late` is compacted, by another thread, after its line is appended and before it is
    synced; then `meanwhile` is recorded, in a new journal (which may get the same descriptor number)."""

    late = "Assistant/a"
    meanwhile: str | None = None
    descriptors: tuple[int | None, int | None] = (None, None)
    """The journal's descriptor before the compaction, and the new journal's after `meanwhile` was recorded."""

    def _sync(self, address: str, opened: object, written: int) -> None:
        if address == self.late:
            before = self._fd
            for work in (self.compact, self._record_meanwhile):
                thread = threading.Thread(target=work)
                thread.start()
                thread.join()
            self.descriptors = (before, self._fd)
        super()._sync(address, opened, written)

    def _record_meanwhile(self) -> None:
        if self.meanwhile is not None:
            name = self.meanwhile.partition("/")[2]
            self.record(self.meanwhile, resource(name, f"asst_{name}"))


def test_a_compaction_between_a_record_s_append_and_its_sync_keeps_the_record(tmp_path: Path) -> None:
    store = CompactingBetween(tmp_path / "state.json")
    store.write(StateFile.new("demo"))

    store.record("Assistant/a", resource("a", "asst_a"))

    assert not store.journal_path.exists()
    assert ids(StateStore(store.path).load()) == {"Assistant/a": "asst_a"}
    store.record("Assistant/b", resource("b", "asst_b"))
    assert ids(StateStore(store.path).load()) == {"Assistant/a": "asst_a", "Assistant/b": "asst_b"}


def compacted_then_reopened(root: Path) -> dict[str, object]:
    """Records, one compacted between its append and its sync while another opens a new journal, then one more: the
    two journals' descriptor numbers, the syncs the last record made, and the addresses then on disk."""
    synced: list[int] = []
    sync_data = store_module._sync_data
    store_module._sync_data = lambda fd: (synced.append(fd), sync_data(fd))
    try:
        store = CompactingBetween(root / "state.json")
        store.meanwhile = "Assistant/b"
        store.write(StateFile.new("demo"))
        for index in range(20):
            store.record(f"Assistant/x{index}", resource(f"x{index}", f"asst_x{index}"))
        store.record("Assistant/a", resource("a", "asst_a"))
        synced.clear()
        store.record("Assistant/c", resource("c", "asst_c"))
    finally:
        store_module._sync_data = sync_data
    return {"descriptors": list(store.descriptors), "syncs": len(synced), "addresses": sorted(ids(store.load()))}


def test_a_record_synced_after_its_journal_was_compacted_leaves_the_next_journal_s_records_to_be_synced(
    tmp_path: Path,
) -> None:
    # in a process of its own, where no other thread opens files, so the new journal takes the number the compacted
    # one had (under pytest-xdist another thread may take it first)
    script = (
        f"import json, sys; from pathlib import Path; sys.path[:0] = [{str(Path(__file__).parent)!r}]; "
        f"import test_state_journal as t; print(json.dumps(t.compacted_then_reopened(Path({str(tmp_path)!r}))))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)

    found = json.loads(run.stdout.splitlines()[-1])
    before, after = found["descriptors"]
    assert before == after  # the new journal took the number the compacted one had
    assert found["syncs"] == 1
    names = [*(f"x{index}" for index in range(20)), "a", "b", "c"]
    assert found["addresses"] == sorted(f"Assistant/{name}" for name in names)


class LoadingBetween(StateStore):
    """A store that another thread loads (closing its journal) between a record's append and its sync."""

    def _sync(self, address: str, opened: object, written: int) -> None:
        if address == "Assistant/a":
            loading = threading.Thread(target=self.load)
            loading.start()
            loading.join()
        super()._sync(address, opened, written)


def loading_between(root: Path) -> LoadingBetween:
    """Such a store, with a state file and one record in its journal."""
    store = LoadingBetween(root / "state.json")
    store.write(StateFile.new("demo"))
    store.record("Assistant/x", resource("x", "asst_x"))
    return store


def test_a_record_whose_journal_could_not_be_synced_as_it_was_closed_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = loading_between(tmp_path)

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(store_module, "_sync_data", failing)

    with pytest.raises(StateError, match="could not be synced"):
        store.record("Assistant/a", resource("a", "asst_a"))


def test_a_record_whose_journal_was_synced_as_it_was_closed_is_durable_without_another_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = loading_between(tmp_path)
    synced: list[int] = []
    sync_data = store_module._sync_data
    monkeypatch.setattr(store_module, "_sync_data", lambda fd: (synced.append(fd), sync_data(fd)))

    store.record("Assistant/a", resource("a", "asst_a"))

    assert len(synced) == 1  # on closing, for the load
    assert ids(StateStore(store.path).load()) == {"Assistant/x": "asst_x", "Assistant/a": "asst_a"}


def test_compact_bumps_the_serial_once_whatever_the_number_of_records(store: StateStore) -> None:
    for i in range(5):
        store.record(f"Assistant/a{i}", resource(f"a{i}"))

    store.compact()

    assert json.loads(store.path.read_text())["serial"] == 2
    assert store.current.serial == 2


def test_compact_keeps_the_previous_state_file_as_backup(store: StateStore) -> None:
    previous = store.path.read_bytes()
    store.record("Assistant/a", resource("a"))

    store.compact()

    assert store.backup_path.read_bytes() == previous


def test_a_backup_that_cannot_be_replaced_fails_the_compaction_saying_the_journal_holds_the_changes(
    store: StateStore,
) -> None:
    previous = store.path.read_bytes()
    store.record("Assistant/a", resource("a"))
    store.backup_path.mkdir()

    with pytest.raises(StateError) as raised:
        store.compact()

    assert f"cannot keep the previous state as {store.backup_path}" in str(raised.value)
    assert f"the changes are recorded in {store.journal_path.name}, which the next command reads" in str(raised.value)
    assert store.path.read_bytes() == previous
    assert "Assistant/a" in ids(StateStore(store.path).load())


def test_compact_without_a_journal_leaves_the_state_file_as_it_is(store: StateStore) -> None:
    before = os.stat(store.path)

    store.compact()
    store.compact()

    after = os.stat(store.path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not store.backup_path.exists()


def test_compact_twice_writes_the_state_file_once(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    store.compact()
    written = os.stat(store.path)

    store.compact()

    assert os.stat(store.path).st_ino == written.st_ino
    assert json.loads(store.path.read_text())["serial"] == 2


def test_a_store_that_never_loaded_compacts_a_journal_left_by_another_run(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))

    StateStore(store.path).compact()

    assert not store.journal_path.exists()
    assert ids(StateStore(store.path).load()) == {"Assistant/a": "asst_a"}


def test_write_folds_the_journal_first_then_replaces_the_state_and_removes_the_journal(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))

    written = store.write(store.current.without("Assistant/a"))

    assert not store.journal_path.exists()
    assert written.serial == 3
    assert ids(StateStore(store.path).load()) == {}
    backup = json.loads(store.backup_path.read_text())
    assert (backup["serial"], list(backup["resources"])) == (2, ["Assistant/a"])


def test_crash_after_compaction_wrote_the_state_but_before_it_removed_the_journal_loads_it_once(
    store: StateStore,
) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))
    store.record("Assistant/a", None)
    store.record("Assistant/a", resource("a", "asst_a2"))
    journal = store.journal_path.read_bytes()
    store.compact()
    store.journal_path.write_bytes(journal)  # as if the process died before removing it

    loaded = StateStore(store.path).load()

    assert (loaded.serial, ids(loaded)) == (2, {"Assistant/a": "asst_a2"})


def test_recording_after_such_a_crash_starts_a_new_journal_on_the_compacted_state(store: StateStore) -> None:
    store.record("Assistant/a", resource("a", "asst_a"))
    journal = store.journal_path.read_bytes()
    store.compact()
    store.journal_path.write_bytes(journal)
    resumed = StateStore(store.path)
    resumed.load()

    resumed.record("Assistant/b", resource("b", "asst_b"))

    assert journal_lines(resumed)[0]["serial"] == 2
    assert len(journal_lines(resumed)) == 2
    loaded = StateStore(store.path).load()
    assert (loaded.serial, ids(loaded)) == (3, {"Assistant/a": "asst_a", "Assistant/b": "asst_b"})


# -- serials seen by saved plans


def test_a_plan_after_an_interrupted_apply_sees_a_new_serial(store: StateStore) -> None:
    before = StateStore(store.path).load().serial
    store.record("Assistant/a", resource("a"))  # the apply is killed here: no compaction

    assert StateStore(store.path).load().serial == before + 1


def test_a_second_interrupted_apply_shows_yet_another_serial(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    second = StateStore(store.path)
    after_first = second.load().serial

    second.record("Assistant/b", resource("b"))

    assert StateStore(store.path).load().serial == after_first + 1
    assert [line.get("session") for line in journal_lines(store)] == [None, None, 2, None]


def test_compaction_writes_the_serial_that_was_shown(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    second = StateStore(store.path)
    second.load()
    second.record("Assistant/b", resource("b"))
    shown = StateStore(store.path).load()

    StateStore(store.path).compact()

    assert StateStore(store.path).load() == shown
    assert json.loads(store.path.read_text())["serial"] == shown.serial == 3


def test_a_session_without_records_leaves_the_serial_alone(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    StateStore(store.path).load()

    assert StateStore(store.path).load().serial == 2


# -- other runs


def test_a_record_after_another_run_removed_the_journal_is_refused(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    os.unlink(store.journal_path)

    with pytest.raises(StateError, match=r"state\.json\.journal was removed or changed by another run"):
        store.record("Assistant/b", resource("b"))


def test_a_first_record_after_another_run_wrote_the_state_is_refused(store: StateStore) -> None:
    StateStore(store.path).write(store.current)

    with pytest.raises(StateError, match=r"cannot record Assistant/a: the state at .* changed since it was loaded"):
        store.record("Assistant/a", resource("a"))


def test_releasing_the_state_lock_folds_the_journal(store: StateStore) -> None:
    with StateLock(store.path, "apply"):
        store.record("Assistant/a", resource("a", "asst_a"))
        assert store.journal_path.exists()

    assert not store.journal_path.exists()
    assert json.loads(store.path.read_text())["resources"]["Assistant/a"]["id"] == "asst_a"


def test_after_the_lock_folded_its_journal_the_store_records_into_a_new_one(store: StateStore) -> None:
    with StateLock(store.path, "apply"):
        store.record("Assistant/a", resource("a", "asst_a"))

    store.record("Assistant/b", resource("b", "asst_b"))

    assert journal_lines(store)[0]["serial"] == 2
    assert ids(StateStore(store.path).load()) == {"Assistant/a": "asst_a", "Assistant/b": "asst_b"}


def test_releasing_the_lock_keeps_a_journal_a_killed_run_left(store: StateStore) -> None:
    killed = StateStore(store.path)
    killed.load()
    killed.record("Assistant/a", resource("a", "asst_a"))
    del killed
    gc.collect()

    with StateLock(store.path, "plan"):
        pass

    assert store.journal_path.exists()
    assert ids(StateStore(store.path).load()) == {"Assistant/a": "asst_a"}


def test_releasing_the_lock_leaves_a_journal_it_cannot_fold_for_load_to_report(store: StateStore) -> None:
    store.record("Assistant/a", resource("a"))
    store.path.write_text(StateFile.new("demo").model_dump_json())

    with StateLock(store.path, "apply") as lock:
        pass

    assert store.journal_path.exists()
    assert not lock.is_locked
