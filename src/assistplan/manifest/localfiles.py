"""Files named by manifests: paths and globs resolved relative to the manifest file, confined to the manifest root."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from assistplan.manifest.globs import has_magic, split_pattern
from assistplan.manifest.project import LocalFile
from assistplan.manifest.safefs import MAX_TEXT_FILE_BYTES, Refused, confined, read_bytes, regular_size

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
"""OpenAI's per-file upload limit."""
MAX_MATCHES = 20_000
"""Paths one glob may match."""


class FileCache:
    """Reads, hashes and decodes each file once per load; every path is refused if it leaves the root."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[Path, LocalFile] = {}
        self._texts: dict[Path, str] = {}

    def inside(self, directory: Path, relpath: str) -> Path:
        """The absolute path of `relpath` (relative to `directory`), refused if it leaves the manifest root."""
        if not relpath.strip():
            raise Refused("empty path")
        if PurePosixPath(relpath).is_absolute() or Path(relpath).is_absolute():
            raise Refused(f'"{relpath}" is absolute: write a path relative to the manifest file')
        return confined(directory / relpath, self.root, relpath)

    def local_file(self, path: Path, shown: str, *, allow_empty: bool = False) -> LocalFile:
        """A regular file (already confined), hashed; refused when over the upload limit, or empty unless
        `allow_empty` (the Files API refuses empty uploads; a skill bundle takes them)."""
        found = self._files.get(path)
        if found is None:
            _, size = regular_size(path, self.root, shown, None)
            if size > MAX_UPLOAD_BYTES:
                raise Refused(f'"{shown}" is {size} bytes, more than the 512 MB the API accepts per file')
            digest = hashlib.sha256()
            flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
            with os.fdopen(os.open(path, flags), "rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
            found = LocalFile(path.relative_to(self.root).as_posix(), path, digest.hexdigest(), size)
            self._files[path] = found
        if found.size == 0 and not allow_empty:
            raise Refused(f'"{shown}" is empty: the API refuses empty files')
        return found

    def file(self, directory: Path, relpath: str, *, allow_empty: bool = False) -> LocalFile:
        """One existing regular file, for upload."""
        path = self.inside(directory, relpath)
        try:
            return self.local_file(path, relpath, allow_empty=allow_empty)
        except OSError as exc:
            raise Refused(f'cannot read "{relpath}": {exc.strerror or exc}') from exc

    def expand(self, directory: Path, pattern: str) -> list[str]:
        """The paths (relative to `directory`) a path or glob names; `**` matches any depth; none is an error.

        Folders are walked without following symbolic links, and at most MAX_MATCHES paths are taken.
        """
        if not has_magic(pattern):
            return [pattern]
        if PurePosixPath(pattern).is_absolute() or Path(pattern).is_absolute():
            raise Refused(f'"{pattern}" is absolute: write a pattern relative to the manifest file')
        prefix, matcher = split_pattern(pattern)
        base = self.inside(directory, prefix) if prefix else confined(directory, self.root, ".")
        matches: list[str] = []
        for folder, folders, names in os.walk(base):
            here = Path(folder).relative_to(base).as_posix()
            folders.sort()
            for name in sorted(names):
                relative = name if here == "." else f"{here}/{name}"
                if matcher(relative):
                    matches.append(f"{prefix}/{relative}" if prefix else relative)
            if len(matches) > MAX_MATCHES:
                raise Refused(f'"{pattern}" matches more than {MAX_MATCHES} files')
        if not matches:
            raise Refused(f'"{pattern}" matches no files')
        return matches

    def matched_file(self, directory: Path, pattern: str, match: str, *, allow_empty: bool = False) -> LocalFile:
        """One path `pattern` matched, as an upload; its problems name the pattern."""
        try:
            return self.file(directory, match, allow_empty=allow_empty)
        except Refused as exc:
            message, prefix = str(exc), f'"{match}" '
            if match != pattern and message.startswith(prefix):
                message = f'"{pattern}" matches "{match}", which {message[len(prefix) :]}'
            raise Refused(message) from exc

    def text(self, directory: Path, relpath: str) -> tuple[Path, str]:
        """The UTF-8 text of a `*_file`."""
        path = self.inside(directory, relpath)
        cached = self._texts.get(path)
        if cached is not None:
            return path, cached
        data = read_bytes(path, self.root, relpath, MAX_TEXT_FILE_BYTES)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Refused(f'"{relpath}" is not UTF-8 text (byte {exc.start})') from exc
        self._texts[path] = text
        return path, text


def sorted_unique(files: list[LocalFile]) -> tuple[LocalFile, ...]:
    return tuple(sorted({file.path: file for file in files}.values(), key=lambda file: file.path))
