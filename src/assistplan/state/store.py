"""The state of one project on disk and in memory: the state file, its `.backup`, and the journal beside it.

This module owns when the files are read, appended, replaced and removed (the journal's line format is `journal`'s;
atomic replacement is `atomic`'s):

- `load` reads and validates the state file, then replays `<state>.journal` onto it in memory, when one is there.
  When both files hold, byte for byte, what this store last read and it has changed neither since, the view it
  built stands (the same snapshot, not parsed again): a command that read the state before taking the lock reads it
  again under the lock for the price of reading the bytes.
- `record` appends one change to the journal, syncs it, and only then applies it to the in-memory resources: an
  action is durable before the next one starts, and costs the same whatever the number of resources. It never
  rewrites the state file.
- `compact` folds the journal into the state file (atomically, the previous file kept as `.backup`) and removes the
  journal; `write` (a full replacement) compacts first, so a crash never leaves a journal beside a state it does not
  extend.

The serial counts what a saved plan must notice. The state file's serial rises once per compaction; meanwhile the
state shown (`current`, `load`) has the file's serial plus the number of sessions in the journal (a session is one
store's run of records: the header opens the first, and a store that continues a journal left by an interrupted run
opens the next). So a plan made after an interrupted apply sees a serial the plan before it did not, one made after
a second interrupted apply sees yet another, and compaction writes exactly the serial that was shown, which is how a
journal is recognised as already folded in after a crash between writing the state file and removing the journal.

The state file never holds secrets: API keys and credential values must not be put into `applied` or `attributes`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from assistplan.addrs import Address
from assistplan.errors import StateError
from assistplan.reading import read_regular, unreadable_json
from assistplan.state import journal
from assistplan.state.atomic import atomic_write, fsync_directory, keep_as_backup
from assistplan.state.model import STATE_VERSION, ResourceState, StateFile, utc_now

# (inode, size, mtime in ns) of the state file: atomic writes make a new inode, so a rewrite changes it
_FileSignature = tuple[int, int, int]
# (inode, size) of the journal
_JournalSignature = tuple[int, int]


@dataclass(frozen=True)
class _Identity:
    """The state file as last read or written: everything but its resources."""

    lineage: str
    project: str
    serial: int


class StateStore:
    """The state file of one project at `path`; with `project` set, a state of another project is refused on load.

    Safe to share between threads: `record`, `get` and `current` may be called concurrently.
    """

    # stores of this process with a journal open, by journal path, so that `compact_journal` folds through them
    _open: ClassVar[weakref.WeakValueDictionary[str, StateStore]] = weakref.WeakValueDictionary()
    _open_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path, project: str | None = None) -> None:
        self.path = Path(path)
        self.project = project
        self.backup_path = self.path.with_name(self.path.name + ".backup")
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()  # taken without `_lock` held, or before it, never after
        self._synced: tuple[object | None, int] = (None, 0)  # (the open journal's `_closer`, bytes of it on disk)
        self._unsynced: object | None = None  # the `_closer` of a journal that could not be synced as it closed
        self._loaded = False  # whether what follows describes the files (set by load, write and compact)
        self._file: _Identity | None = None
        self._resources: dict[Address, ResourceState] = {}
        self._sessions = 0  # sessions in the journal being replayed or appended; 0 when there is none to replay
        self._seen_file: _FileSignature | None = None
        self._seen_journal: _JournalSignature | None = None
        self._journal_valid = 0  # bytes of complete lines in the journal (when _sessions > 0)
        self._fd: int | None = None  # the journal, open for appending, once this store has recorded
        self._closer: weakref.finalize[[int], StateStore] | None = None  # closes `_fd`, at the latest when collected
        self._snapshot: StateFile | None = None
        self._broken: str | None = None
        # the bytes of the state file and of the journal (None: absent) this store's view was last read from; None
        # once the store changes either file
        self._read: tuple[bytes | None, bytes | None] | None = None

    @classmethod
    def compact_journal(cls, path: Path) -> None:
        """Fold the journal beside the state file at `path` into it, through this process's store that has it open
        (so none of its records can slip between the fold and the removal). A journal no store of this process
        wrote, left by a run that was killed, stays: it tells the next commands that objects may have been created
        without being recorded (so they list rather than read by id), until an apply folds it in."""
        path = Path(path)
        journal_path = path.with_name(path.name + ".journal")
        if not os.path.lexists(journal_path):
            return
        with cls._open_lock:
            store = cls._open.get(str(journal_path.absolute()))
        if store is not None:
            store.compact()

    @property
    def current(self) -> StateFile | None:
        """The state last loaded or written, with every change recorded since: a snapshot, built on first use after
        a change and then shared until the next one."""
        with self._lock:
            return self._snapshot_locked()

    def read_digest(self) -> str | None:
        """A digest of the bytes of the state file and journal the current view was read from; None when it was not
        read from files (never loaded, or written or recorded since). Equal digests: the same files' content."""
        with self._lock:
            read = self._read
        return _digest(read)

    def load_read(self) -> tuple[StateFile | None, str | None, bool]:
        """`load`, with the `read_digest` and `interrupted` of that very read (another thread's load may follow)."""
        with self._lock:
            self._reload()
            return self._snapshot_locked(), _digest(self._read), self._sessions > 0

    def get(self, address: Address) -> ResourceState | None:
        """The resource recorded at `address`, without building a snapshot."""
        # no lock: a dict lookup is atomic, the values are immutable, and `_resources` is only ever replaced whole
        return self._resources.get(address)

    @property
    def interrupted(self) -> bool:
        """Whether the state came with a journal an unfinished run left (so objects it created may be unrecorded)."""
        return self._sessions > 0

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> StateFile | None:
        """Read and validate the state file and replay its journal; None when there is no state file. The result
        becomes `current`; when the files hold what this store last read (and it has written neither since), that is
        the snapshot `current` already was."""
        with self._lock:
            self._reload()
            return self._snapshot_locked()

    def write(self, state: StateFile) -> StateFile:
        """Replace the state by `state` with its serial increased by one, backing up the file it replaces; returns
        what was written. A journal is folded into the old file first, then removed."""
        with self._lock:
            self._compact_locked()
            written = state.model_copy(
                update={"serial": state.serial + 1, "resources": dict(sorted(state.resources.items()))}
            )
            self._write_file(written)
            self._loaded = True
            self._resources = dict(written.resources)
            self._snapshot = written
            return written

    def record(self, address: Address, resource: ResourceState | None) -> None:
        """Set (or, with None, remove) one address, stamped with the current time; durable when this returns.

        Appends one line to the journal (creating it with its header, or opening a new session of one left by an
        interrupted run, on this store's first record) and syncs it; the state file is not touched. Safe to call from
        many threads.
        """
        if resource is not None:
            if address != resource.address:
                raise ValueError(f"cannot store {resource.address} under address {address}")
            resource = resource.model_copy(update={"updated_at": utc_now()})
            line = journal.set_line(address, resource)
        else:
            line = journal.remove_line(address)
        with self._lock:
            if self._file is None:
                raise StateError(f"cannot record {address}: no state has been loaded from or written to {self.path}")
            if self._broken is not None:
                raise StateError(f"cannot record {address}: {self._broken}")
            self._read = None
            opening = self._fd is None
            prefix = self._open_journal(address) if opening else b""
            opened, written = self._append(address, prefix + line, opening)
            # in this store's view at once: a compaction before the sync below folds it into the state file
            if resource is None:
                self._resources.pop(address, None)
            else:
                self._resources[resource.address] = resource
            self._snapshot = None
        self._sync(address, opened, written)

    def compact(self) -> None:
        """Fold the journal into the state file (its serial becomes the one `current` shows, the previous file is
        kept as `.backup`) and remove the journal. Idempotent; without a journal it only looks for one."""
        with self._sync_lock, self._lock:
            self._compact_locked()

    # -- reading

    def _reload(self) -> None:
        """Read the state file and the journal and make them this store's view, replacing any earlier one."""
        self._close_journal()
        self._broken = None
        for _ in range(3):
            state_data = self._read_state()
            journal_data = self._read_journal()
            seen_file = state_data[1] if state_data else None
            if self._file_signature() == seen_file:
                break
            # the state file was replaced while the journal was read (a compaction by the lock holder): read again
        else:
            raise StateError(f"state file {self.path} kept changing while it was read: run the command again")
        read = (state_data[0] if state_data else None, journal_data[0] if journal_data else None)
        if read == self._read:
            # the very bytes the current view was built from
            self._seen_file, self._seen_journal = seen_file, journal_data[1] if journal_data else None
            return
        self._read = None
        state = self._parse_state(state_data[0]) if state_data else None
        parsed = journal.parse(journal_data[0], self.journal_path) if journal_data else None
        replay = parsed is not None and self._extends(parsed, state)
        resources = dict(state.resources) if state else {}
        if replay and parsed is not None:
            for address, resource in parsed.changes:
                if resource is None:
                    resources.pop(address, None)
                else:
                    resources[address] = resource
        self._file = None if state is None else _Identity(state.lineage, state.project, state.serial)
        self._resources = resources  # replaced whole, for `get` without the lock
        self._sessions = parsed.sessions if replay and parsed is not None else 0
        self._journal_valid = parsed.valid_size if replay and parsed is not None else 0
        self._seen_file = seen_file
        self._seen_journal = journal_data[1] if journal_data else None
        self._snapshot = None
        self._loaded = True
        self._read = read

    def _extends(self, parsed: journal.Parsed, state: StateFile | None) -> bool:
        """Whether the journal is to be replayed onto `state` (False when it is empty or already folded into it);
        raises when it belongs to another state."""
        header = parsed.header
        if header is None:
            return False
        keep = (
            f"Nothing was changed. Move {self.journal_path.name} away to use the state file as it is (objects the "
            "journal recorded are found again by their labels on the next plan)"
        )
        if state is None:
            raise StateError(
                f"state journal {self.journal_path} records changes to the state of lineage {header.lineage} at "
                f"serial {header.serial}, but the state file {self.path} is missing. Put that state file back "
                f"({self.backup_path.name} may be it) to replay the journal onto it, or move "
                f"{self.journal_path.name} away to start without a state (it is rebuilt from the project's labels on "
                "the live API)"
            )
        if state.lineage != header.lineage:
            raise StateError(
                f"state journal {self.journal_path} was written for the state of lineage {header.lineage} at serial "
                f"{header.serial}, but the state file {self.path} is another one (lineage {state.lineage}, serial "
                f"{state.serial}). {keep}, or put back the state file the journal belongs to"
            )
        if state.serial == header.serial:
            return True
        if state.serial == header.serial + parsed.sessions:
            return False  # compaction wrote the state file but stopped before removing the journal
        raise StateError(
            f"state journal {self.journal_path} extends serial {header.serial} of the state of lineage "
            f"{header.lineage}, but the state file {self.path} has serial {state.serial} (restored from "
            f"{self.backup_path.name} or copied from elsewhere?). {keep}, or put back serial {header.serial} of "
            "the state file to replay the journal onto it"
        )

    def _read_state(self) -> tuple[bytes, _FileSignature] | None:
        try:
            found = read_regular(self.path)
        except OSError as error:
            raise StateError(f"cannot read state file {self.path}: {error}") from error
        if found is None:
            return None
        data, status = found
        return data, (status.st_ino, status.st_size, status.st_mtime_ns)

    def _read_journal(self) -> tuple[bytes, _JournalSignature] | None:
        try:
            found = read_regular(self.journal_path)
        except OSError as error:
            raise StateError(f"cannot read state journal {self.journal_path}: {error}") from error
        if found is None:
            return None
        data, status = found
        return data, (status.st_ino, status.st_size)

    def _parse_state(self, content: bytes) -> StateFile:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise StateError(f"cannot read state file {self.path}: {error}") from error
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise StateError(
                f"state file {self.path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
            ) from error
        except (ValueError, RecursionError) as error:
            raise StateError(f"state file {self.path} is not a state: {unreadable_json(error)}") from error
        version = data.get("version") if isinstance(data, dict) else None
        if isinstance(version, int) and version > STATE_VERSION:
            raise StateError(
                f"state file {self.path} has version {version}, written by a newer assistplan; "
                f"this one reads version {STATE_VERSION}: upgrade assistplan"
            )
        try:
            state = StateFile.model_validate(data)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc']) or 'top level'}: {problem['msg']}"
                for problem in error.errors()
            )
            raise StateError(f"state file {self.path} is invalid: {problems}") from error
        if self.project is not None and state.project != self.project:
            raise StateError(
                f"state file {self.path} belongs to project {state.project!r} (lineage {state.lineage}), "
                f"not to {self.project!r}: nothing was contacted or changed. Point `state:` in assistplan.yaml at "
                "this project's own state file, or move the other file away (with no state file, the state is "
                "rebuilt from the project's labels on the live API)"
            )
        return state

    def _file_signature(self) -> _FileSignature | None:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_size, status.st_mtime_ns

    def _journal_signature(self) -> _JournalSignature | None:
        try:
            status = os.stat(self.journal_path)
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_size

    def _snapshot_locked(self) -> StateFile | None:
        if self._file is None:
            return None
        if self._snapshot is None:
            # the resources were validated when they were read or recorded: no need to validate them again
            self._snapshot = StateFile.model_construct(
                version=STATE_VERSION,
                lineage=self._file.lineage,
                serial=self._file.serial + self._sessions,
                project=self._file.project,
                resources=dict(self._resources),
            )
        return self._snapshot

    # -- the journal

    def _open_journal(self, address: Address) -> bytes:
        """Open the journal for appending on this store's first record; returns the line that opens the session.

        A journal with replayable changes gets a session line; an empty one, a torn header or one already folded
        into the state file is emptied and gets a new header naming the state file's lineage and serial.
        """
        assert self._file is not None
        if (self._file_signature(), self._journal_signature()) != (self._seen_file, self._seen_journal):
            raise StateError(
                f"cannot record {address}: the state at {self.path} changed since it was loaded (another run wrote "
                "it without holding the state lock?): run the command again"
            )
        try:
            if self._seen_journal is None:
                fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o600)
                try:
                    fsync_directory(self.journal_path.parent)
                except BaseException:
                    os.close(fd)
                    raise
            else:
                fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | _CLOEXEC)
                try:
                    keep = self._journal_valid if self._sessions else 0
                    if self._seen_journal[1] != keep:
                        os.ftruncate(fd, keep)  # drop a torn last line, or all of an empty or folded journal
                except BaseException:
                    os.close(fd)
                    raise
        except OSError as error:
            raise StateError(
                f"cannot record {address}: cannot open state journal {self.journal_path}: {error}"
            ) from error
        status = os.fstat(fd)
        self._fd, self._closer = fd, weakref.finalize(self, os.close, fd)
        self._seen_journal = (status.st_ino, status.st_size)
        with StateStore._open_lock:
            StateStore._open[str(self.journal_path.absolute())] = self
        if self._sessions:
            return journal.session_line(self._sessions + 1)
        return journal.header_line(self._file.lineage, self._file.serial)

    def _append(self, address: Address, data: bytes, opening: bool) -> tuple[object, int]:
        """Append `data` to the journal (not synced yet: see `_sync`); on failure, cut the journal back to what it
        was. Returns what stands for this opening of the journal (its `_closer`: a descriptor's number may be reused
        by the next journal) and its size with `data`."""
        assert self._fd is not None and self._seen_journal is not None
        fd, (inode, size) = self._fd, self._seen_journal
        status = os.fstat(fd)
        if status.st_nlink == 0 or status.st_size != size:
            raise StateError(
                f"cannot record {address}: the state journal {self.journal_path} was removed or changed by another "
                "run since this one opened it: run the command again"
            )
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except OSError as error:
            try:
                os.ftruncate(fd, size)
            except OSError as truncating:
                self._broken = f"the state journal {self.journal_path} could not be cut back after {truncating}"
            if opening:
                self._close_journal()  # the next record opens the session again
            raise StateError(f"cannot record {address} in {self.journal_path}: {error}") from error
        self._seen_journal = (inode, size + len(data))
        self._journal_valid = size + len(data)
        if opening:
            self._sessions += 1
        assert self._closer is not None
        return self._closer, size + len(data)

    def _sync(self, address: Address, opened: object, written: int) -> None:
        """Make the journal `opened` (see `_append`) durable through `written` bytes. Records of other threads appended
        meanwhile share the sync (group commit): one sync covers every line written before it started, so threads
        that recorded at the same time wait for one sync instead of queueing for one each. A journal closed since
        was synced as it closed (`_close_journal`)."""
        with self._sync_lock:
            synced_by, synced = self._synced
            fd = self._fd
            if self._closer is not opened or fd is None:
                self._closed_synced(address, opened)
                return
            if synced_by is opened and synced >= written:
                return
            seen = self._seen_journal
            target = max(written, seen[1]) if seen is not None else written
            try:
                _sync_data(fd)
            except OSError as error:
                if self._closer is not opened and error.errno == errno.EBADF:
                    # closed while it synced (a load or a write holds `_lock`, not this one), and synced as it closed
                    self._closed_synced(address, opened)
                    return
                self._broken = f"the state journal {self.journal_path} could not be synced ({error})"
                raise StateError(f"cannot record {address} in {self.journal_path}: {error}") from error
            self._synced = (opened, target)

    def _closed_synced(self, address: Address, opened: object) -> None:
        """A record's sync, for the journal `opened` that was closed since: raises if it could not be synced then."""
        if opened is self._unsynced:
            raise StateError(f"cannot record {address}: the state journal {self.journal_path} could not be synced")

    def _close_journal(self, folded: bool = False) -> None:
        """Close the open journal, syncing first what was appended to it and not synced yet (a record whose sync has
        not begun: its `_sync` then finds the journal closed, and fails if this sync did); `folded`: its records are
        in the state file already (a compaction), so nothing is synced."""
        if self._closer is None:
            return
        fd = self._fd
        unsynced = self._synced[0] is not self._closer or self._synced[1] < self._journal_valid
        if fd is not None and unsynced and not folded:
            try:
                _sync_data(fd)
            except OSError as error:
                self._broken = f"the state journal {self.journal_path} could not be synced ({error})"
                self._unsynced = self._closer
        closer, self._closer, self._fd = self._closer, None, None
        self._synced = (None, 0)
        with StateStore._open_lock:
            key = str(self.journal_path.absolute())
            if StateStore._open.get(key) is self:
                del StateStore._open[key]
        closer()

    def _matches_disk(self) -> bool:
        """Whether the files are still what this store last saw (a stat of each, or of its open journal)."""
        if self._fd is not None:
            status = os.fstat(self._fd)
            if status.st_nlink == 0 or self._journal_signature() != (status.st_ino, status.st_size):
                return False
        return (self._file_signature(), self._journal_signature()) == (self._seen_file, self._seen_journal)

    def _compact_locked(self) -> None:
        if self._fd is None and self._seen_journal is None and not os.path.lexists(self.journal_path):
            return  # no journal: nothing to fold, and the state file is left as it is
        if not self._loaded or not self._matches_disk():
            self._reload()
        if self._seen_journal is None:
            return
        if self._sessions:
            snapshot = self._snapshot_locked()
            assert snapshot is not None
            written = snapshot.model_copy(update={"resources": dict(sorted(snapshot.resources.items()))})
            self._write_file(written, journaled=True)
        self._close_journal(folded=True)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.journal_path)
            fsync_directory(self.journal_path.parent)
        except OSError as error:
            raise StateError(f"cannot remove state journal {self.journal_path}: {error}") from error
        self._seen_journal = None
        self._sessions = 0
        self._journal_valid = 0
        self._read = None

    # -- writing the state file

    def _write_file(self, state: StateFile, journaled: bool = False) -> None:
        """Write `state` as it is over the state file, keeping the previous one as `.backup`. `journaled`: the
        journal beside it holds the changes (a compaction), so they stand even if the file cannot be written."""
        content = state.model_dump_json(indent=2).encode("utf-8") + b"\n"
        kept = (
            f"the changes are recorded in {self.journal_path.name}, which the next command reads"
            if journaled
            else "nothing was changed"
        )
        try:
            if self.path.exists():
                keep_as_backup(self.path, self.backup_path)
        except OSError as error:
            raise StateError(
                f"cannot keep the previous state as {self.backup_path}: {error.strerror or error}; {kept}. Move "
                f"{self.backup_path.name} away and run the command again"
            ) from error
        try:
            atomic_write(self.path, content)
        except OSError as error:
            raise StateError(f"cannot write state file {self.path}: {error.strerror or error}; {kept}") from error
        self._file = _Identity(state.lineage, state.project, state.serial)
        self._seen_file = self._file_signature()
        self._sessions = 0
        self._snapshot = state
        self._read = None


_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _digest(read: tuple[bytes | None, bytes | None] | None) -> str | None:
    if read is None:
        return None
    digest = hashlib.sha256()
    for part in read:
        digest.update(b"-" if part is None else b"+%d:" % len(part) + part)
    return digest.hexdigest()


def _sync_data(fd: int) -> None:
    if hasattr(os, "fdatasync"):
        os.fdatasync(fd)
    else:
        os.fsync(fd)
