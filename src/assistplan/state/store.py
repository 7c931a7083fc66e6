"""Reading and writing the state file: validation on load, atomic writes, a `.backup` of the previous version.

The store keeps the last state it loaded or wrote as `current`; `record` applies one change to it and writes the
result, under a lock, so the applier's worker threads can record each action as soon as it finishes.

The state file never holds secrets: API keys and credential values must not be put into `applied` or `attributes`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistplan.errors import StateError
from assistplan.state.atomic import atomic_write, keep_as_backup
from assistplan.state.model import STATE_VERSION, ResourceState, StateFile


class StateStore:
    """The state file of one project at `path`; with `project` set, a state of another project is refused on load."""

    def __init__(self, path: Path, project: str | None = None) -> None:
        self.path = Path(path)
        self.project = project
        self.backup_path = self.path.with_name(self.path.name + ".backup")
        self._current: StateFile | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> StateFile | None:
        """The state last loaded or written through this store."""
        return self._current

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> StateFile | None:
        """Read and validate the state file; None when there is none. The result becomes `current`."""
        with self._lock:
            self._current = self._read()
            return self._current

    def write(self, state: StateFile) -> StateFile:
        """Write `state` with its serial increased by one, backing up the file it replaces; returns what was written."""
        with self._lock:
            return self._write(state)

    def record(self, address: str, resource: ResourceState | None) -> StateFile:
        """Set (or, with None, remove) one address in `current` and write the result. Safe to call from many threads."""
        with self._lock:
            if self._current is None:
                raise StateError(f"cannot record {address}: no state has been loaded from or written to {self.path}")
            if resource is None:
                return self._write(self._current.without(address))
            return self._write(self._current.with_resource(address, resource))

    def _read(self) -> StateFile | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise StateError(f"cannot read state file {self.path}: {error}") from error
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise StateError(
                f"state file {self.path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
            ) from error
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

    def _write(self, state: StateFile) -> StateFile:
        written = state.model_copy(
            update={"serial": state.serial + 1, "resources": dict(sorted(state.resources.items()))}
        )
        content = written.model_dump_json(indent=2).encode("utf-8") + b"\n"
        try:
            if self.path.exists():
                keep_as_backup(self.path, self.backup_path)
            atomic_write(self.path, content)
        except OSError as error:
            raise StateError(f"cannot write state file {self.path}: {error}") from error
        self._current = written
        return written
