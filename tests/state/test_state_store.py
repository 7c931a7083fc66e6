"""StateStore: load and validation errors, atomic writes with backup, records durable when they return.

The journal that records go to is tested in test_state_journal.py, crashes in test_state_crashes.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistplan.addrs import Address
from assistplan.errors import StateError
from assistplan.state import ResourceState, StateFile, StateStore


def resource(name: str, remote_id: str = "asst_1") -> ResourceState:
    return ResourceState(kind="Assistant", name=name, id=remote_id, digest="ab12", applied={"name": name})


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "assistplan.state.json")


def test_load_returns_none_when_there_is_no_state_file(store: StateStore) -> None:
    assert not store.exists()
    assert store.load() is None


def test_write_increments_serial_and_keeps_lineage(store: StateStore) -> None:
    state = StateFile.new("demo")

    first = store.write(state)
    second = store.write(first)

    assert (first.serial, second.serial) == (1, 2)
    assert first.lineage == second.lineage == state.lineage


def test_written_state_loads_back_equal(store: StateStore) -> None:
    written = store.write(StateFile.new("demo").with_resource("Assistant/a", resource("a")))

    assert StateStore(store.path).load() == written


def test_state_file_lists_resources_sorted_by_address(store: StateStore) -> None:
    store.write(
        StateFile.new("demo").with_resource("Assistant/b", resource("b")).with_resource("Assistant/a", resource("a"))
    )

    assert list(json.loads(store.path.read_text())["resources"]) == ["Assistant/a", "Assistant/b"]


def test_first_write_makes_no_backup(store: StateStore) -> None:
    store.write(StateFile.new("demo"))

    assert not store.backup_path.exists()


def test_backup_holds_the_previous_version(store: StateStore) -> None:
    first = store.write(StateFile.new("demo"))
    previous = store.path.read_bytes()

    store.write(first)

    assert store.backup_path == store.path.with_name("assistplan.state.json.backup")
    assert store.backup_path.read_bytes() == previous
    assert json.loads(store.backup_path.read_text())["serial"] == 1


def test_write_leaves_no_temporary_files(store: StateStore) -> None:
    state = store.write(StateFile.new("demo"))
    store.write(state)

    assert sorted(p.name for p in store.path.parent.iterdir()) == [
        "assistplan.state.json",
        "assistplan.state.json.backup",
    ]


def test_a_write_that_fails_before_the_rename_leaves_the_old_state_intact(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = store.write(StateFile.new("demo"))
    before = store.path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StateError, match="simulated crash"):
        store.write(written.with_resource("Assistant/a", resource("a")))
    monkeypatch.undo()

    assert store.path.read_bytes() == before
    assert store.current == written
    assert [p.name for p in store.path.parent.iterdir()] == ["assistplan.state.json"]


def test_a_backup_that_cannot_be_replaced_fails_the_write_and_changes_nothing(store: StateStore) -> None:
    store.write(StateFile.new("demo"))
    before = store.path.read_bytes()
    store.backup_path.mkdir()

    with pytest.raises(StateError, match=r"cannot keep the previous state as .*: Is a directory; nothing was changed"):
        store.write(StateFile.new("demo").with_resource("Assistant/a", resource("a")))

    assert store.path.read_bytes() == before


def test_corrupt_json_raises_state_error_naming_the_file_line_and_column(store: StateStore) -> None:
    store.path.write_text('{\n  "version": 1,\n  "serial": oops\n}\n')

    with pytest.raises(StateError, match=r"assistplan\.state\.json is not valid JSON: .* line 3, column 13"):
        store.load()


def test_json_nested_too_deeply_raises_state_error_naming_the_file(store: StateStore) -> None:
    store.path.write_text("[" * 100_000 + "]" * 100_000)

    with pytest.raises(StateError, match=r"assistplan\.state\.json is not a state: its JSON is nested too deeply"):
        store.load()


def test_a_number_too_long_to_read_raises_state_error_naming_the_file(store: StateStore) -> None:
    store.path.write_text('{"serial": ' + "9" * 5000 + "}")

    with pytest.raises(StateError, match=r"assistplan\.state\.json is not a state: a number .* too many digits"):
        store.load()


def test_future_version_raises_state_error_asking_for_an_upgrade(store: StateStore) -> None:
    data = StateFile.new("demo").model_dump(mode="json") | {"version": 2}
    store.path.write_text(json.dumps(data))

    with pytest.raises(StateError, match=r"assistplan\.state\.json has version 2.*upgrade assistplan"):
        store.load()


def test_invalid_content_raises_state_error_naming_the_field(store: StateStore) -> None:
    data = StateFile.new("demo").with_resource("Assistant/a", resource("a")).model_dump(mode="json")
    del data["resources"]["Assistant/a"]["id"]
    store.path.write_text(json.dumps(data))

    with pytest.raises(
        StateError, match=r"assistplan\.state\.json is invalid: resources\.Assistant/a\.id: Field required"
    ):
        store.load()


def test_record_sets_and_removes_an_address_durably_before_returning(store: StateStore) -> None:
    store.write(StateFile.new("demo"))

    store.record("Assistant/a", resource("a"))
    assert StateStore(store.path).load().get("Assistant/a") is not None

    store.record("Assistant/a", None)
    assert StateStore(store.path).load().get("Assistant/a") is None


def test_record_continues_from_a_loaded_state(store: StateStore) -> None:
    store.write(StateFile.new("demo"))
    other = StateStore(store.path)
    other.load()

    other.record("Assistant/a", resource("a"))

    assert other.get("Assistant/a") is not None
    assert other.current.serial == 2


def test_a_loaded_state_and_its_replayed_journal_key_resources_by_typed_addresses(store: StateStore) -> None:
    store.write(StateFile.new("demo").with_resource("Assistant/a", resource("a")))
    store.record(Address("Assistant", "b"), resource("b"))

    loaded = StateStore(store.path).load()

    assert all(isinstance(address, Address) for address in loaded.resources)
    assert sorted(address.name for address in loaded.resources) == ["a", "b"]


def test_record_without_a_loaded_or_written_state_raises(store: StateStore) -> None:
    with pytest.raises(StateError, match="cannot record Assistant/a"):
        store.record("Assistant/a", resource("a"))


def test_record_rejects_an_address_that_does_not_match_kind_and_name(store: StateStore) -> None:
    store.write(StateFile.new("demo"))

    with pytest.raises(ValueError, match="Assistant/a under address Agent/a"):
        store.record("Agent/a", resource("a"))


def test_loading_files_unchanged_since_the_last_load_gives_the_same_snapshot(store: StateStore) -> None:
    store.write(StateFile.new("demo").with_resource("Assistant/a", resource("a")))
    store.record("Assistant/b", resource("b"))
    reader = StateStore(store.path)

    first = reader.load()

    assert reader.load() is first


def test_a_state_file_rewritten_in_place_with_the_same_size_and_times_is_read_again(store: StateStore) -> None:
    store.write(StateFile.new("demo").with_resource("Assistant/a", resource("a", "asst_1")))
    reader = StateStore(store.path)
    reader.load()
    before = os.stat(store.path)
    content = store.path.read_bytes()
    with store.path.open("r+b") as file:  # same inode, same size
        file.write(content.replace(b"asst_1", b"asst_2"))
    os.utime(store.path, ns=(before.st_atime_ns, before.st_mtime_ns))

    assert reader.load().get("Assistant/a").id == "asst_2"


def test_a_journal_grown_since_the_last_load_is_replayed(store: StateStore) -> None:
    store.write(StateFile.new("demo"))
    reader = StateStore(store.path)
    reader.load()

    store.record("Assistant/a", resource("a"))

    assert reader.load().get("Assistant/a") is not None


def test_a_store_that_wrote_reads_the_previous_file_put_back(store: StateStore) -> None:
    store.write(StateFile.new("demo").with_resource("Assistant/a", resource("a")))
    previous = store.path.read_bytes()
    store.load()
    store.write(store.current.without("Assistant/a"))

    store.path.write_bytes(previous)

    assert store.load().get("Assistant/a") is not None


def test_a_store_that_recorded_reads_its_journal_again_after_it_is_moved_away(store: StateStore) -> None:
    store.write(StateFile.new("demo"))
    store.load()
    store.record("Assistant/a", resource("a"))

    store.journal_path.rename(store.path.with_name("moved-away"))

    assert store.load().get("Assistant/a") is None
