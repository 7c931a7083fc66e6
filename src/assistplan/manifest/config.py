"""Resolution: validated manifests become the project's desired resources.

Each document's model resolves what it refers to outside itself through its `resolve` hook (see resolution.py):
this module gives the hook references by name (reporting an unknown name with the closest existing ones), `*_file`
reading (rendered when `.j2`), file globs and JSON Schema checks, then reports reference cycles (see cycles.py). It
names no kind: documents are resolved in the catalog's dependency order, so a hook can read the resolved spec of
anything it refers to.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from assistplan import catalog
from assistplan.addrs import Address
from assistplan.diagnostics import Diagnostic, Severity, SourceRange, did_you_mean
from assistplan.manifest.cycles import cycle_diagnostics
from assistplan.manifest.fields import FileTypes
from assistplan.manifest.localfiles import FileCache, sorted_unique
from assistplan.manifest.models import KindSpec, ProjectConfig
from assistplan.manifest.project import LocalFile, Resource
from assistplan.manifest.safefs import Refused
from assistplan.manifest.strict import (
    SchemaSite,
    check_json_schema,
    check_object_root,
    check_ref_cycles,
    check_strict,
)
from assistplan.manifest.templating import TemplateContext, render
from assistplan.manifest.yamlpos import JsonPath, LineMap, Positions, format_path, parse_single


@dataclass(frozen=True)
class Manifest:
    """One validated manifest document, before resolution."""

    address: Address
    spec: KindSpec
    file: str
    """Relative to the manifest root."""
    directory: Path
    positions: Positions
    start: SourceRange


@dataclass
class _Work:
    manifest: Manifest
    depends_on: list[Address] = field(default_factory=list)
    files: list[LocalFile] = field(default_factory=list)
    updates: dict[str, Any] = field(default_factory=dict)


class _Resolution:
    """One document's view of the resolver (`manifest.resolution.Resolution`)."""

    def __init__(self, resolver: Resolver, work: _Work) -> None:
        self._resolver = resolver
        self._work = work

    @property
    def address(self) -> Address:
        return self._work.manifest.address

    def reference(self, kind: str, name: str, path: JsonPath) -> Any | None:
        found = self._resolver.reference(self._work, kind, name, path)
        return None if found is None else found.spec

    def text_file(self, path: JsonPath, relpath: str) -> str | None:
        return self._resolver.text_file(self._work, path, relpath)

    def files(
        self,
        patterns: str | list[str],
        path: JsonPath,
        limit: int,
        types: FileTypes | None = None,
        *,
        allow_empty: bool = False,
    ) -> list[LocalFile]:
        found = self._resolver.files(self._work, patterns, path, limit, types, allow_empty=allow_empty)
        self._work.files = list(sorted_unique([*self._work.files, *found]))
        return found

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
        found = self._resolver.schema(self._work, inline, file_path, relpath, label)
        if found is None:
            return None
        schema, site = found
        self._resolver.check_schema(schema, site, strict=strict, object_root=object_root)
        return schema

    def error(self, path: JsonPath, message: str, *, key: bool = False) -> None:
        self._resolver.error(self._work, path, message, key=key)

    def warning(self, path: JsonPath, message: str) -> None:
        self._resolver.error(self._work, path, message, severity=Severity.WARNING)

    def resolved(self, kind: str, name: str) -> Any | None:
        found = self._resolver.resources.get(Address(kind, name))
        return None if found is None else found.spec

    def find(self, kind: str, name: str) -> Any | None:
        found = self._resolver.names[kind].get(name)
        return None if found is None else found.spec

    def update(self, field: str, value: Any) -> None:
        self._work.updates[field] = value


class Resolver:
    def __init__(
        self,
        config: ProjectConfig,
        context: TemplateContext,
        cache: FileCache,
        name_of: Callable[[Path], str],
        invalid: frozenset[Address] = frozenset(),
    ) -> None:
        self.config = config
        self.invalid = invalid
        """The addresses of documents that failed their own checks: a reference to one is not "unknown" (the
        document's errors are reported where it is)."""
        self.name_of = name_of
        self.context = context
        self.cache = cache
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, list[str] | None] = {}
        """What may be shown of the files read here, by their names in diagnostics."""
        self.names: defaultdict[str, dict[str, Manifest]] = defaultdict(dict)
        self.resources: dict[Address, Resource] = {}

    def error(
        self, work: _Work, path: JsonPath, message: str, *, key: bool = False, severity: Severity = Severity.ERROR
    ) -> None:
        """An error (or warning) about the value (or key) at `path` of the manifest; the message is prefixed with the
        path."""
        positions = work.manifest.positions
        where = positions.key(path) if key else positions.value(path)
        text = f"{format_path(path)}: {message}" if path else message
        self.diagnostics.append(Diagnostic(severity, text, address=str(work.manifest.address), range=where))

    def resolve(self, manifests: Iterable[Manifest]) -> dict[Address, Resource]:
        manifests = list(manifests)
        for manifest in manifests:
            self.names[manifest.address.kind][manifest.address.name] = manifest
        resources = self.resources
        for manifest in sorted(manifests, key=lambda m: (catalog.rank(m.address.kind), m.address.name)):
            work = _Work(manifest)
            info = catalog.get(manifest.address.kind)
            provider = info.provider if info is not None else None
            if provider is not None and getattr(self.config, provider, None) is None:
                self.error(work, (), f'{manifest.address.kind} needs a "{provider}" section in assistplan.yaml')
            manifest.spec.resolve(_Resolution(self, work))
            depends_on = tuple(dict.fromkeys(work.depends_on))
            resources[manifest.address] = Resource(
                address=manifest.address,
                spec=manifest.spec.model_copy(update=work.updates) if work.updates else manifest.spec,
                source=manifest.start,
                depends_on=depends_on,
                files=tuple(work.files),
                # what it refers to comes earlier in catalog order (a cycle is reported below)
                referred={address: resources[address] for address in depends_on if address in resources},
            )
        self.diagnostics.extend(cycle_diagnostics(resources))
        return resources

    def reference(self, work: _Work, kind: str, name: str, path: JsonPath) -> Manifest | None:
        found = self.names[kind].get(name)
        if found is None and Address(kind, name) in self.invalid:
            return None
        if found is None:
            hint = did_you_mean(name, self.names[kind])
            self.error(work, path, f'unknown {kind} "{name}"{hint}')
            return None
        work.depends_on.append(found.address)
        return found

    def text_file(self, work: _Work, path: JsonPath, relpath: str) -> str | None:
        """The content of a `*_file`, rendered when its name ends in `.j2`."""
        try:
            abspath, text = self.cache.text(work.manifest.directory, relpath)
        except Refused as exc:
            self.error(work, path, str(exc))
            return None
        self.sources[self.name_of(abspath)] = text.splitlines()
        if not relpath.endswith(".j2"):
            return text
        rendered, _, problem = render(text, self.name_of(abspath), self.context)
        if problem is not None:
            self.diagnostics.append(problem)
            return None
        return rendered

    def schema_file(self, work: _Work, path: JsonPath, relpath: str, label: JsonPath) -> tuple[Any, SchemaSite] | None:
        """A JSON or YAML schema file (rendered when `.j2`), with the positions of its values."""
        try:
            abspath, text = self.cache.text(work.manifest.directory, relpath)
        except Refused as exc:
            self.error(work, path, str(exc))
            return None
        name = self.name_of(abspath)
        self.sources[name] = text.splitlines()
        rendered, linemap, problem = render(text, name, self.context) if relpath.endswith(".j2") else (text, None, None)
        if problem is not None:
            self.diagnostics.append(problem)
            return None
        document, problems = parse_single(rendered, linemap or LineMap(name), what=f'"{relpath}"')
        self.diagnostics.extend(problems)
        if document is None:
            return None
        site = SchemaSite(label, document.positions, work.manifest.positions.value(path), str(work.manifest.address))
        if not isinstance(document.value, dict):
            self.diagnostics.append(site.error((), "a JSON Schema must be a mapping"))
            return None
        return document.value, site

    def schema(
        self, work: _Work, inline: dict[str, Any] | None, file_path: JsonPath, relpath: str | None, label: JsonPath
    ) -> tuple[dict[str, Any], SchemaSite] | None:
        if relpath is not None:
            return self.schema_file(work, file_path, relpath, label)
        if inline is None:
            return None
        positions = work.manifest.positions
        inline_path = (*file_path[:-1], label[-1])
        address = str(work.manifest.address)
        return inline, SchemaSite(label, positions.subtree(inline_path), positions.value(inline_path), address)

    def check_schema(self, schema: dict[str, Any], site: SchemaSite, *, strict: bool, object_root: bool) -> None:
        problems = check_json_schema(schema, site)
        problems += check_ref_cycles(schema, site)
        if object_root:
            problems += check_object_root(schema, site)
        if strict and not problems:
            problems += check_strict(schema, site)
        self.diagnostics.extend(problems)

    def files(
        self,
        work: _Work,
        patterns: str | list[str],
        path: JsonPath,
        limit: int,
        types: FileTypes | None = None,
        *,
        allow_empty: bool = False,
    ) -> list[LocalFile]:
        """The files of `patterns`, at most `limit` in all (counted before any is read), each with a suffix in
        `types` when given (else refused with its reason), empty only when `allow_empty`. A pattern's problems
        are reported at `path` when `patterns` is one string, else at the pattern's index below it."""

        def at(index: int) -> JsonPath:
            return path if isinstance(patterns, str) else (*path, index)

        matched: dict[Path, tuple[int, str, str]] = {}
        for index, pattern in enumerate([patterns] if isinstance(patterns, str) else patterns):
            try:
                for match in self.cache.expand(work.manifest.directory, pattern):
                    key = Path(os.path.normpath(work.manifest.directory / match))
                    matched.setdefault(key, (index, pattern, match))
            except Refused as exc:
                self.error(work, at(index), str(exc))
        if len(matched) > limit:
            self.error(work, path, f"{len(matched)} files, at most {limit}", key=True)
            return []
        found: list[LocalFile] = []
        for index, pattern, match in matched.values():
            try:
                local = self.cache.matched_file(work.manifest.directory, pattern, match, allow_empty=allow_empty)
            except Refused as exc:
                self.error(work, at(index), str(exc))
                continue
            if types is not None and PurePosixPath(local.path).suffix.lower() not in types.suffixes:
                message = f'"{local.path}": {types.refused}'
                self.error(work, at(index), f"{message} (it takes {' '.join(sorted(types.suffixes))})")
            found.append(local)
        return list(sorted_unique(found))
