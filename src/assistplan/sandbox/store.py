"""SQLite persistence for the sandbox: one JSON document per object, plus raw file contents.

Objects are keyed by (kind, parent, id); `parent` is the owning vector store for vector-store files and batches, and
empty otherwise. `seq` (insertion order) orders lists and backs pagination cursors. A deleted object leaves a bodiless
tombstone so that a cursor naming it still resolves. One connection serves every thread, guarded by a re-entrant lock;
`path=None` keeps everything in memory.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    parent TEXT NOT NULL,
    id TEXT NOT NULL,
    live INTEGER NOT NULL DEFAULT 1,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_live ON objects(kind, parent, id) WHERE live = 1;
CREATE INDEX IF NOT EXISTS objects_scan ON objects(kind, parent, live, seq);
CREATE INDEX IF NOT EXISTS objects_by_id ON objects(kind, id, live);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, data BLOB NOT NULL);
"""

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_END = 1 << 62


def new_id(prefix: str, length: int = 24) -> str:
    """An id in OpenAI's style: a type prefix and random base-62 characters."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class Store:
    """Objects and file contents in one SQLite database (a file, or memory when `path` is None)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        target = str(self.path) if self.path is not None else ":memory:"
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        self._db.execute("PRAGMA busy_timeout = 5000")
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes atomically; nested uses join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def get(self, kind: str, object_id: str, parent: str = "") -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM objects WHERE kind = ? AND parent = ? AND id = ? AND live = 1",
                (kind, parent, object_id),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, body: dict[str, Any], parent: str = "") -> None:
        """Insert the object, or replace the body of the live object with the same id (keeping its place)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO objects (kind, parent, id, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, parent, id) WHERE live = 1 DO UPDATE SET body = excluded.body",
                (kind, parent, body["id"], _dumps(body)),
            )

    def delete(self, kind: str, object_id: str, parent: str = "") -> bool:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE objects SET live = 0, body = '' WHERE kind = ? AND parent = ? AND id = ? AND live = 1",
                (kind, parent, object_id),
            )
        return cursor.rowcount > 0

    def delete_children(self, kind: str, parent: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE objects SET live = 0, body = '' WHERE kind = ? AND parent = ? AND live = 1", (kind, parent)
            )

    def parents_of(self, kind: str, object_id: str) -> list[str]:
        """The parents under which a live object with this id exists (e.g. the vector stores holding a file)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT parent FROM objects WHERE kind = ? AND id = ? AND live = 1", (kind, object_id)
            ).fetchall()
        return [row[0] for row in rows]

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM objects WHERE kind = ? AND parent = ? AND live = 1 ORDER BY seq", (kind, parent)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def seq_of(self, kind: str, object_id: str, parent: str = "") -> int | None:
        """The list position of an object, live or deleted; None if it never existed."""
        with self._lock:
            row = self._db.execute(
                "SELECT seq FROM objects WHERE kind = ? AND parent = ? AND id = ? ORDER BY live DESC, seq DESC LIMIT 1",
                (kind, parent, object_id),
            ).fetchone()
        return row[0] if row else None

    def scan(
        self,
        kind: str,
        parent: str = "",
        *,
        descending: bool,
        start: int | None = None,
        stop: int | None = None,
        chunk: int = 128,
    ) -> Iterator[dict[str, Any]]:
        """Live objects in list order, strictly between the positions `start` and `stop` (both exclusive).

        Rows are fetched in chunks, and the lock is not held between them.
        """
        if descending:
            sql = (
                "SELECT seq, body FROM objects WHERE kind = ? AND parent = ? AND live = 1 AND seq < ? AND seq > ? "
                "ORDER BY seq DESC LIMIT ?"
            )
            position, bound = (_END if start is None else start), (0 if stop is None else stop)
        else:
            sql = (
                "SELECT seq, body FROM objects WHERE kind = ? AND parent = ? AND live = 1 AND seq > ? AND seq < ? "
                "ORDER BY seq LIMIT ?"
            )
            position, bound = (0 if start is None else start), (_END if stop is None else stop)
        while True:
            with self._lock:
                rows = self._db.execute(sql, (kind, parent, position, bound, chunk)).fetchall()
            for _, body in rows:
                yield json.loads(body)
            if len(rows) < chunk:
                return
            position = rows[-1][0]

    def put_blob(self, blob_id: str, data: bytes) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO blobs (id, data) VALUES (?, ?)", (blob_id, data))

    def get_blob(self, blob_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM blobs WHERE id = ?", (blob_id,)).fetchone()
        return bytes(row[0]) if row else None

    def delete_blob(self, blob_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM blobs WHERE id = ?", (blob_id,))

    def clear(self) -> None:
        """Forget every object and file (used between tests)."""
        with self.transaction():
            self._db.execute("DELETE FROM objects")
            self._db.execute("DELETE FROM blobs")
