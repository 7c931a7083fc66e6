"""What a manifest model's `resolve` hook is given: references by name, local files and folders, errors, updates.

A kind's model resolves its own references here (see `KindSpec.resolve`), so that adding a kind does not touch the
resolver. Every path is a JSON path inside the document (`("tools", 0, "credential")`); errors point at it.
"""

from __future__ import annotations

from typing import Any, Protocol

from assistplan.addrs import Address
from assistplan.manifest.fields import FileTypes
from assistplan.manifest.project import LocalFile
from assistplan.manifest.yamlpos import JsonPath


class Resolution(Protocol):
    """The resolver, as one document's `resolve` hook sees it."""

    @property
    def address(self) -> Address:
        """The document's address."""

    def reference(self, kind: str, name: str, path: JsonPath) -> Any | None:
        """The manifest spec of the `kind` resource called `name` (recorded as a dependency of this document), or
        None after reporting `unknown KIND "name"` with the closest names at `path`."""

    def text_file(self, path: JsonPath, relpath: str) -> str | None:
        """The text of a file beside the manifest (rendered when its name ends in `.j2`), or None after an error."""

    def files(
        self,
        patterns: str | list[str],
        path: JsonPath,
        limit: int,
        types: FileTypes | None = None,
        *,
        allow_empty: bool = False,
    ) -> list[LocalFile]:
        """The files matching `patterns` (globs allowed, `**` included), at most `limit`, sorted and unique; they
        become the resource's local files (digested, and re-read at apply). A problem with one pattern is reported
        at `path` when `patterns` is that one string, else at its index below `path`. A file whose suffix is not in
        `types` (when given) is reported with the reason `types` gives. Empty files are refused
        (the Files API refuses them) unless `allow_empty`."""

    def schema(
        self,
        inline: dict[str, Any] | None,
        file_path: JsonPath,
        relpath: str | None,
        label: JsonPath,
        *,
        strict: bool,
        object_root: bool,
    ) -> dict[str, Any] | None:
        """A JSON Schema written inline (the sibling of `file_path` named like `label`'s last step) or in the JSON or
        YAML file `relpath` (rendered when `.j2`), checked against the meta-schema, for `$ref` cycles, for an object
        root when `object_root`, and for OpenAI's strict rules when `strict`; problems are reported where the schema
        was written, named by `label`. None when there is none or it cannot be read."""

    def error(self, path: JsonPath, message: str, *, key: bool = False) -> None:
        """Report a problem at the value (or the key) at `path`."""

    def warning(self, path: JsonPath, message: str) -> None:
        """Report something valid but probably wrong at the value at `path` (`validate` shows it; nothing fails)."""

    def resolved(self, kind: str, name: str) -> Any | None:
        """The resolved spec (its `*_file` fields read) of the `kind` resource called `name`, when it comes before
        this document in dependency order; records no dependency, reports nothing."""

    def find(self, kind: str, name: str) -> Any | None:
        """The manifest spec of the `kind` resource called `name`, or None; records no dependency, reports nothing."""

    def update(self, field: str, value: Any) -> None:
        """Replace a field of the resolved spec (for example an inline twin read from its `*_file`)."""
