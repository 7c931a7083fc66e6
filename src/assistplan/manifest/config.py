"""Resolution: validated manifests become the project's desired resources.

Loads every `*_file` into its inline twin, expands file globs, resolves references between resources (reporting an
unknown name with the closest existing ones), checks function and response schemas, and reports reference cycles
(see cycles.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from assistplan import catalog
from assistplan.addrs import Address
from assistplan.diagnostics import Diagnostic, Severity, SourceRange
from assistplan.manifest.cycles import cycle_diagnostics
from assistplan.manifest.flowise_links import linked_assistant_problems
from assistplan.manifest.flowise_schema import row_problems
from assistplan.manifest.localfiles import FileCache, sorted_unique
from assistplan.manifest.models import (
    AgentFunctionTool,
    AgentSpec,
    AssistantSpec,
    FlowiseAssistantSpec,
    FlowiseToolSpec,
    FunctionRef,
    FunctionSpec,
    JsonSchemaResponseFormat,
    KindSpec,
    ProjectConfig,
    TextFormatJsonSchema,
    VectorStoreSpec,
)
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
from assistplan.manifest.validate import did_you_mean
from assistplan.manifest.yamlpos import JsonPath, LineMap, Positions, format_path, parse_single

MAX_CODE_INTERPRETER_FILES = 20
MAX_VECTOR_STORE_FILES = 2000
"""Files one vector store may hold per request to the API (a file batch)."""
FILE_SEARCH_EXTENSIONS = frozenset(
    {".c", ".cpp", ".cs", ".css", ".doc", ".docx", ".go", ".html", ".java", ".js", ".json", ".md", ".pdf", ".php"}
    | {".pptx", ".py", ".rb", ".sh", ".tex", ".ts", ".txt"}
)
"""The file types OpenAI's file_search indexes (platform docs, "Supported files")."""
MAX_AGENT_TOOLS_BYTES = 3 * 1024 * 1024


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
        self, patterns: str | list[str], path: JsonPath, limit: int, *, allow_empty: bool = False
    ) -> list[LocalFile]:
        found = self._resolver.files(self._work, patterns, path, limit, allow_empty=allow_empty)
        self._work.files = list(sorted_unique([*self._work.files, *found]))
        return found

    def error(self, path: JsonPath, message: str, *, key: bool = False) -> None:
        self._resolver.error(self._work, path, message, key=key)

    def warning(self, path: JsonPath, message: str) -> None:
        self._resolver.error(self._work, path, message, severity=Severity.WARNING)

    def find(self, kind: str, name: str) -> Any | None:
        found = self._resolver.names[kind].get(name)
        return None if found is None else found.spec

    def update(self, field: str, value: Any) -> None:
        self._work.updates[field] = value


class Resolver:
    def __init__(
        self, config: ProjectConfig, context: TemplateContext, cache: FileCache, name_of: Callable[[Path], str]
    ) -> None:
        self.config = config
        self.name_of = name_of
        self.context = context
        self.cache = cache
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, list[str] | None] = {}
        """What may be shown of the files read here, by their names in diagnostics."""
        self.names: dict[str, dict[str, Manifest]] = {kind: {} for kind in catalog.names()}
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
        handlers: dict[type[KindSpec], Callable[[_Work, Any], None]] = {
            FunctionSpec: self.function,
            VectorStoreSpec: self.vector_store,
            AssistantSpec: self.assistant,
            AgentSpec: self.agent,
            FlowiseToolSpec: self.flowise_tool,
            FlowiseAssistantSpec: self.flowise_assistant,
        }
        resources = self.resources
        for manifest in sorted(manifests, key=lambda m: (catalog.rank(m.address.kind), m.address.name)):
            work = _Work(manifest)
            provider = catalog.kinds()[manifest.address.kind].provider
            if provider is not None and getattr(self.config, provider, None) is None:
                self.error(work, (), f'{manifest.address.kind} needs a "{provider}" section in assistplan.yaml')
            handler = handlers.get(type(manifest.spec))
            if handler is not None:
                handler(work, manifest.spec)
            manifest.spec.resolve(_Resolution(self, work))
            resources[manifest.address] = Resource(
                address=manifest.address,
                spec=manifest.spec.model_copy(update=work.updates) if work.updates else manifest.spec,
                source=manifest.start,
                depends_on=tuple(dict.fromkeys(work.depends_on)),
                files=tuple(work.files),
            )
        self.diagnostics.extend(cycle_diagnostics(resources))
        return resources

    def reference(self, work: _Work, kind: str, name: str, path: JsonPath) -> Manifest | None:
        found = self.names[kind].get(name)
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
        types: frozenset[str] | None = None,
        *,
        allow_empty: bool = False,
    ) -> list[LocalFile]:
        """The files of `patterns`, at most `limit` in all (counted before any is read), each with a suffix in
        `types` when given, empty only when `allow_empty`. A pattern's problems are reported at `path` when
        `patterns` is one string, else at the pattern's index below it."""

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
            if types is not None and PurePosixPath(local.path).suffix.lower() not in types:
                message = f'"{local.path}": file_search cannot index this type of file'
                self.error(work, at(index), f"{message} (it takes {' '.join(sorted(types))})")
            found.append(local)
        return list(sorted_unique(found))

    def instructions(self, work: _Work, spec: Any, limit: int | None) -> None:
        if spec.instructions_file is None:
            return
        text = self.text_file(work, ("instructions_file",), spec.instructions_file)
        if text is None:
            return
        if limit is not None and len(text) > limit:
            self.error(work, ("instructions_file",), f"instructions are {len(text)} characters long, at most {limit}")
        work.updates["instructions"] = text

    def function(self, work: _Work, spec: FunctionSpec) -> None:
        found = self.schema(work, spec.parameters, ("parameters_file",), spec.parameters_file, ("parameters",))
        if found is None:
            return
        schema, site = found
        self.check_schema(schema, site, strict=spec.strict, object_root=True)
        work.updates["parameters"] = schema

    def vector_store(self, work: _Work, spec: VectorStoreSpec) -> None:
        work.files = self.files(work, spec.files, ("files",), MAX_VECTOR_STORE_FILES, FILE_SEARCH_EXTENSIONS)

    def assistant(self, work: _Work, spec: AssistantSpec) -> None:
        self.instructions(work, spec, 256_000)
        for index, tool in enumerate(spec.tools):
            if isinstance(tool, FunctionRef):
                self.reference(work, "Function", tool.function, ("tools", index, "function"))
        if spec.file_search is not None:
            self.reference(work, "VectorStore", spec.file_search.vector_store, ("file_search", "vector_store"))
        if spec.code_interpreter is not None:
            files = spec.code_interpreter.files
            work.files = self.files(work, files, ("code_interpreter", "files"), MAX_CODE_INTERPRETER_FILES)
        response_format = spec.response_format
        if isinstance(response_format, JsonSchemaResponseFormat):
            options = response_format.json_schema
            base = ("response_format", "json_schema")
            label = (*base, "schema")
            found = self.schema(work, options.schema_, (*base, "schema_file"), options.schema_file, label)
            if found is not None:
                schema, site = found
                self.check_schema(schema, site, strict=bool(options.strict), object_root=bool(options.strict))
                new_options = options.model_copy(update={"schema_": schema})
                work.updates["response_format"] = response_format.model_copy(update={"json_schema": new_options})

    def agent(self, work: _Work, spec: AgentSpec) -> None:
        self.instructions(work, spec, None)
        functions: dict[int, FunctionSpec] = {}
        for index, tool in enumerate(spec.tools):
            if isinstance(tool, AgentFunctionTool):
                found = self.reference(work, "Function", tool.function, ("tools", index, "function"))
                if found is not None and isinstance(found.spec, FunctionSpec):
                    functions[index] = found.spec
        text_format = spec.text.format if spec.text is not None else None
        if isinstance(text_format, TextFormatJsonSchema) and spec.text is not None:
            base = ("text", "format")
            found_schema = self.schema(
                work, text_format.schema_, (*base, "schema_file"), text_format.schema_file, (*base, "schema")
            )
            if found_schema is not None:
                schema, site = found_schema
                self.check_schema(schema, site, strict=False, object_root=False)
                new_format = text_format.model_copy(update={"schema_": schema})
                work.updates["text"] = spec.text.model_copy(update={"format": new_format})
        size = len(_agent_tools_json(spec, functions).encode())
        if size > MAX_AGENT_TOOLS_BYTES:
            self.error(work, ("tools",), f"{size} bytes of JSON, at most {MAX_AGENT_TOOLS_BYTES}", key=True)

    def flowise_tool(self, work: _Work, spec: FlowiseToolSpec) -> None:
        found = self.reference(work, "Function", spec.function, ("function",))
        function = self.resources.get(found.address) if found is not None else None
        if function is not None and isinstance(function.spec, FunctionSpec):
            for message, path in row_problems(function.spec.parameters or {}):
                where = format_path(("parameters", *path))
                self.error(work, ("function",), f'Function "{spec.function}" {where}: {message}')
        if spec.code_file is not None:
            code = self.text_file(work, ("code_file",), spec.code_file)
            if code is not None:
                work.updates["code"] = code

    def flowise_assistant(self, work: _Work, spec: FlowiseAssistantSpec) -> None:
        if spec.assistant is not None:
            found = self.reference(work, "Assistant", spec.assistant, ("assistant",))
            linked = self.resources.get(found.address) if found is not None else None
            if linked is not None and isinstance(linked.spec, AssistantSpec):
                for message in linked_assistant_problems(linked.spec):
                    self.error(work, ("assistant",), f'Assistant "{spec.assistant}", served by Flowise, {message}')
        self.reference(work, "FlowiseCredential", spec.credential, ("credential",))
        for index, name in enumerate(spec.tools):
            self.reference(work, "FlowiseTool", name, ("tools", index))
        self.instructions(work, spec, None)


def _agent_tools_json(spec: AgentSpec, functions: dict[int, FunctionSpec]) -> str:
    """The agent's tool list as the API receives it (functions inlined), compact, to check the 3 MiB limit."""
    tools: list[Any] = []
    for index, tool in enumerate(spec.tools):
        payload = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        function = functions.get(index)
        if function is not None:
            payload |= {"type": "function", "description": function.description, "parameters": function.parameters}
        tools.append(payload)
    return json.dumps(tools, separators=(",", ":"), ensure_ascii=False)
