"""Files named by manifests: paths and globs resolved relative to the manifest file, confined to the manifest root."""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path, PurePosixPath

from assistplan.manifest.project import LocalFile

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
"""OpenAI's per-file upload limit."""


class PathProblem(Exception):
    """A path or glob that cannot be used; str() is the message."""


class FileCache:
    """Reads, hashes and decodes each file once per load."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[Path, LocalFile] = {}
        self._texts: dict[Path, str] = {}

    def inside(self, directory: Path, relpath: str) -> Path:
        """The absolute path of `relpath` (relative to `directory`), refused if it leaves the manifest root."""
        if not relpath.strip():
            raise PathProblem("empty path")
        if PurePosixPath(relpath).is_absolute() or Path(relpath).is_absolute():
            raise PathProblem(f'"{relpath}" is absolute: write a path relative to the manifest file')
        try:
            resolved = (directory / relpath).resolve()
        except (OSError, ValueError, RuntimeError) as exc:
            raise PathProblem(f'invalid path "{relpath}": {exc}') from exc
        if not resolved.is_relative_to(self.root):
            raise PathProblem(f'"{relpath}" is outside the manifest root')
        return resolved

    def local_file(self, path: Path) -> LocalFile:
        found = self._files.get(path)
        if found is None:
            digest = hashlib.sha256()
            size = 0
            with path.open("rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
            found = LocalFile(path.relative_to(self.root).as_posix(), path, digest.hexdigest(), size)
            self._files[path] = found
        return found

    def file(self, directory: Path, relpath: str) -> LocalFile:
        """One existing regular file."""
        path = self.inside(directory, relpath)
        try:
            if not path.exists():
                raise PathProblem(f'file not found: "{relpath}"')
            if not path.is_file():
                raise PathProblem(f'"{relpath}" is not a regular file')
            return self.local_file(path)
        except OSError as exc:
            raise PathProblem(f'cannot read "{relpath}": {exc.strerror or exc}') from exc

    def expand(self, directory: Path, pattern: str) -> list[LocalFile]:
        """The files a path or glob names (`**` matches any depth); a glob matching nothing is an error."""
        if not glob.has_magic(pattern):
            return [self.file(directory, pattern)]
        if PurePosixPath(pattern).is_absolute() or Path(pattern).is_absolute():
            raise PathProblem(f'"{pattern}" is absolute: write a pattern relative to the manifest file')
        try:
            matches = sorted(glob.glob(pattern, root_dir=directory, recursive=True))
        except (OSError, ValueError) as exc:
            raise PathProblem(f'invalid pattern "{pattern}": {exc}') from exc
        files: list[LocalFile] = []
        for match in matches:
            path = (directory / match).resolve()
            if not path.is_relative_to(self.root):
                raise PathProblem(f'"{pattern}" matches "{match}", which is outside the manifest root')
            if path.is_file():
                files.append(self.file(directory, match))
        if not files:
            raise PathProblem(f'"{pattern}" matches no files')
        return files

    def text(self, directory: Path, relpath: str) -> tuple[Path, str]:
        """The UTF-8 text of a `*_file`."""
        path = self.inside(directory, relpath)
        cached = self._texts.get(path)
        if cached is not None:
            return path, cached
        try:
            if not path.is_file():
                raise PathProblem(f'file not found: "{relpath}"')
            data = path.read_bytes()
        except OSError as exc:
            raise PathProblem(f'cannot read "{relpath}": {exc.strerror or exc}') from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PathProblem(f'"{relpath}" is not UTF-8 text (byte {exc.start})') from exc
        self._texts[path] = text
        return path, text


def sorted_unique(files: list[LocalFile]) -> tuple[LocalFile, ...]:
    return tuple(sorted({file.path: file for file in files}.values(), key=lambda file: file.path))
