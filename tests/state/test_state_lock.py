"""StateLock: exclusive across processes, fails fast naming the holder, waits up to its timeout, cleans up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from assistplan.errors import LockError, StateError
from assistplan.state import StateLock

HOLD_LOCK = """
import sys
from pathlib import Path
from assistplan.state import StateLock

with StateLock(Path(sys.argv[1]), sys.argv[2]):
    print("locked", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "assistplan.state.json"


@pytest.fixture
def other_process(state_path: Path) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    """Start a process that holds the lock for an operation until its stdin is closed."""
    processes: list[subprocess.Popen[str]] = []

    def start(operation: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(state_path), operation],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "locked"
        return process

    yield start
    for process in processes:
        if process.stdin and not process.stdin.closed:
            process.stdin.close()
        process.wait(timeout=10)


def test_lock_held_by_another_process_fails_fast_naming_holder_operation_and_time(
    state_path: Path, other_process: Callable[[str], subprocess.Popen[str]]
) -> None:
    holder = other_process("apply")

    with pytest.raises(LockError) as raised, StateLock(state_path, "plan"):
        pass

    message = str(raised.value)
    assert "waited" not in message  # refused at the first try: a lock that waits says how long it waited
    assert message.startswith("cannot plan: the state is locked by ")
    assert f"pid {holder.pid} for apply since 20" in message


def test_lock_waits_up_to_its_timeout_and_succeeds_when_released(
    state_path: Path, other_process: Callable[[str], subprocess.Popen[str]]
) -> None:
    holder = other_process("apply")
    assert holder.stdin is not None
    threading.Timer(0.3, holder.stdin.close).start()

    started = time.monotonic()
    with StateLock(state_path, "apply", timeout=5) as lock:
        assert lock.is_locked
        assert time.monotonic() - started >= 0.2


def test_lock_timeout_expires_while_the_other_process_still_holds_it(
    state_path: Path, other_process: Callable[[str], subprocess.Popen[str]]
) -> None:
    other_process("apply")

    with pytest.raises(LockError, match=r"for apply since .*\(waited 0\.2s\)"), StateLock(state_path, "apply", 0.2):
        pass


def test_a_lock_that_waits_says_so_once_naming_the_holder(
    state_path: Path, other_process: Callable[[str], subprocess.Popen[str]]
) -> None:
    holder = other_process("apply")
    told: list[str] = []

    with pytest.raises(LockError), StateLock(state_path, "plan", 0.2, waiting=told.append):
        pass

    assert len(told) == 1
    assert told[0].startswith("Waiting up to 0.2s for the state lock, held by ")
    assert f"pid {holder.pid} for apply since 20" in told[0]


def test_a_free_lock_and_a_lock_that_does_not_wait_say_nothing(
    state_path: Path, other_process: Callable[[str], subprocess.Popen[str]]
) -> None:
    told: list[str] = []
    with StateLock(state_path, "apply", 5, waiting=told.append):
        pass
    other_process("apply")

    with pytest.raises(LockError), StateLock(state_path, "plan", 0, waiting=told.append):
        pass

    assert told == []


def test_info_file_names_holder_operation_and_time_while_held(state_path: Path) -> None:
    with StateLock(state_path, "apply") as lock:
        info = json.loads(lock.info_path.read_text())

    assert lock.info_path == state_path.with_name("assistplan.state.json.lock.info")
    assert set(info) == {"holder", "operation", "created"}
    assert "@" in info["holder"]
    assert info["operation"] == "apply"


def test_info_file_is_removed_after_release(state_path: Path) -> None:
    with StateLock(state_path, "apply") as lock:
        assert lock.info_path.exists()

    assert not lock.info_path.exists()
    assert not lock.is_locked


def test_lock_is_released_when_the_block_raises(state_path: Path) -> None:
    with pytest.raises(RuntimeError), StateLock(state_path, "apply"):
        raise RuntimeError("apply failed")

    with StateLock(state_path, "apply"):
        pass


def test_stale_info_file_from_a_crashed_process_does_not_block_and_is_overwritten(state_path: Path) -> None:
    stale = {"holder": "ghost@gone pid 1", "operation": "apply", "created": "2020-01-01T00:00:00+00:00"}
    info_path = state_path.with_name("assistplan.state.json.lock.info")
    info_path.write_text(json.dumps(stale))

    with StateLock(state_path, "plan"):
        assert json.loads(info_path.read_text())["operation"] == "plan"


def test_lock_held_without_an_info_file_says_the_info_file_is_missing(state_path: Path) -> None:
    with FileLock(state_path.with_name("assistplan.state.json.lock")), pytest.raises(LockError) as raised:
        StateLock(state_path, "apply").acquire()

    assert "unknown holder" in str(raised.value)
    assert "assistplan.state.json.lock.info is missing" in str(raised.value)


def held_with_info(state_path: Path, write: Callable[[Path], None]) -> str:
    """The error of a lock held (in this process, by `filelock` alone) while its info file is what `write` makes."""
    write(state_path.with_name("assistplan.state.json.lock.info"))
    with FileLock(state_path.with_name("assistplan.state.json.lock")), pytest.raises(LockError) as raised:
        StateLock(state_path, "apply").acquire()
    return str(raised.value)


def test_lock_held_with_a_fifo_for_an_info_file_is_reported_without_waiting_on_it(state_path: Path) -> None:
    message = held_with_info(state_path, lambda path: os.mkfifo(path))

    assert "unknown holder" in message
    assert "not a regular file" in message


def test_lock_held_with_an_info_file_nested_too_deeply_is_reported(state_path: Path) -> None:
    message = held_with_info(state_path, lambda path: path.write_text("[" * 100_000 + "]" * 100_000))

    assert "nested too deeply" in message


def test_control_characters_in_the_info_file_are_shown_escaped(state_path: Path) -> None:
    info = {"holder": "\x1b[2Jmallory", "operation": "apply\r", "created": "now"}
    message = held_with_info(state_path, lambda path: path.write_text(json.dumps(info)))

    assert "\x1b" not in message and "\r" not in message
    assert "by \\x1b[2Jmallory for apply\\r since now" in message


def test_an_info_file_path_that_cannot_be_written_is_a_state_error_and_frees_the_lock(state_path: Path) -> None:
    state_path.with_name("assistplan.state.json.lock.info").mkdir()

    with pytest.raises(StateError, match="cannot write who holds the state lock"):
        StateLock(state_path, "apply").acquire()

    with FileLock(state_path.with_name("assistplan.state.json.lock"), timeout=0):
        pass
