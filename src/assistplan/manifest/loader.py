"""Loading a manifest root: discovery, `assistplan.yaml`, template variables, rendering, parsing, validation.

`load_project` is the entry point: it returns a resolved Project or raises ManifestError carrying every problem
found, each at the line and column of the file the user wrote. No network, no secrets read. Every file is read
through safefs (inside the root, regular, capped); what may be shown of it in diagnostics is recorded with them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistplan.addrs import Address
from assistplan.diagnostics import Diagnostic, Diagnostics, SourcePos, SourceRange, did_you_mean, relative_name
from assistplan.errors import ManifestError
from assistplan.manifest.config import Manifest, Resolver
from assistplan.manifest.environments import Selected, select
from assistplan.manifest.filefields import file_references
from assistplan.manifest.localfiles import FileCache
from assistplan.manifest.models import ProjectConfig, spec_type, spec_types
from assistplan.manifest.policy import check_policy
from assistplan.manifest.project import Project
from assistplan.manifest.safefs import MAX_MANIFEST_BYTES, Refused, confined, read_bytes
from assistplan.manifest.skill_models import SKILL_FILES
from assistplan.manifest.templating import TemplateContext, render
from assistplan.manifest.validate import validate_model
from assistplan.manifest.yamlpos import (
    Document,
    LineMap,
    document_after,
    format_path,
    most_documents,
    parse_documents,
    parse_single,
)

CONFIG_FILE = "assistplan.yaml"
MANIFEST_SUFFIXES = (".yaml", ".yml")
MAX_DOCUMENTS = 12_000
QUICK_COUNT_BYTES = 64 * 1024
"""A file this large is first counted from the parser's events, so that one with too many documents is refused
without building them."""
"""Manifest documents per project."""
MAX_HINTED_ERRORS = 1000
"""Past this many errors, no "did you mean" suggestions are computed: collecting the rest stays cheap."""

Namer = Callable[[Path], str]


def display_namer() -> Namer:
    """How files are named in diagnostics: relative to the working directory when inside it, else absolute."""
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        return str
    return lambda path: relative_name(path, cwd)


@dataclass(frozen=True)
class _ParsedFile:
    path: Path
    name: str
    documents: list[Document]
    diagnostics: list[Diagnostic]


def discover(root: Path) -> tuple[list[Path], list[Path]]:
    """Every `*.yaml`/`*.yml` below `root` except its assistplan.yaml, skipping hidden folders, sub-projects and
    skill bundles (folders holding a `SKILL.md`: their files are a Skill's content); and every link to a folder outside
    the root (folders are walked without following links)."""
    found: list[Path] = []
    escaping: list[Path] = []
    for directory, folders, files in os.walk(root):
        here = Path(directory)
        kept: list[str] = []
        for folder in sorted(folders):
            path = here / folder
            if path.is_symlink():
                if not path.resolve().is_relative_to(root):
                    escaping.append(path)
            elif not folder.startswith(".") and not (path / CONFIG_FILE).exists() and not _skill_bundle(path):
                kept.append(folder)
        folders[:] = kept
        for name in sorted(files):
            if name.endswith(MANIFEST_SUFFIXES) and not name.startswith(".") and (here, name) != (root, CONFIG_FILE):
                found.append(here / name)
    return found, escaping


def _skill_bundle(folder: Path) -> bool:
    return any((folder / name).is_file() for name in SKILL_FILES)


def _at_start(name: str) -> SourceRange:
    return SourceRange(SourcePos(name, 1, 1))


def read_text(path: Path, name: str, root: Path | None, diagnostics: Diagnostics) -> str | None:
    """A manifest's text (confined to `root` unless None), or None after reporting why it cannot be used."""
    try:
        data = read_bytes(path, root, name, MAX_MANIFEST_BYTES)
    except Refused as exc:
        diagnostics.source(name, None)
        diagnostics.add(Diagnostic.error(str(exc), range=_at_start(name)))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        diagnostics.source(name, None)
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded"
        diagnostics.add(Diagnostic.error(message, range=SourceRange(SourcePos(name, line, column))))
        return None
    diagnostics.source(name, text.splitlines())
    return text


def _parse_file(
    path: Path,
    name: str,
    root: Path | None,
    context: TemplateContext,
    diagnostics: Diagnostics,
    max_documents: int | None = None,
) -> _ParsedFile:
    """Read, render and parse one file (at most `max_documents` of its documents: the last of them is one too many
    for the project, refused without building the documents when the file is large); what may be shown of it goes to
    `diagnostics`, its problems stay with it. A large file is counted first (`document_after`) when it may hold that
    many documents (`most_documents`)."""
    reading = Diagnostics()
    text = read_text(path, name, root, reading)
    diagnostics.sources.update(reading.sources)
    if text is None:
        return _ParsedFile(path, name, [], list(reading))
    rendered, linemap, problem = render(text, name, context)
    if problem is not None:
        return _ParsedFile(path, name, [], [problem])
    if max_documents is not None and len(rendered) > QUICK_COUNT_BYTES and most_documents(rendered) >= max_documents:
        extra = document_after(rendered, max_documents - 1)
        if extra is not None:
            message = f"too many manifest documents: at most {MAX_DOCUMENTS} per project"
            return _ParsedFile(path, name, [], [Diagnostic.error(message, range=SourceRange(linemap.pos(*extra)))])
    documents, problems = parse_documents(rendered, linemap, max_documents)
    return _ParsedFile(path, name, documents, problems)


def _load_var_file(path: Path, name: str, root: Path, diagnostics: Diagnostics) -> dict[str, Any]:
    """The variables of a var file (named on the command line, so read wherever it is). Its lines are shown with a
    problem only when it is inside the manifest root: outside, it may be any file of the machine."""
    if not path.is_relative_to(root):
        diagnostics.source(name, None)
    text = read_text(path, name, None, diagnostics)
    if text is None:
        return {}
    document, problems = parse_single(text, LineMap(name), what="a var file", empty=dict)
    diagnostics.extend(problems)
    if document is None:
        return {}
    if not isinstance(document.value, dict):
        diagnostics.add(Diagnostic.error("a var file must be a mapping of names to values", range=document.start))
        return {}
    kind = document.value.get("kind")
    if path.is_relative_to(root) and isinstance(kind, str) and spec_type(kind) is not None:
        # a manifest given as a var file is left out of the manifests: its resources would be planned for deletion
        message = f"this is a manifest (kind: {kind}), not a var file: given as one, it would not be read as a manifest"
        diagnostics.add(Diagnostic.error(message, range=document.positions.value(("kind",)) or document.start))
        return {}
    return document.value


def _load_config(
    path: Path, name: str, root: Path, context: TemplateContext, diagnostics: Diagnostics, environment: str | None
) -> Selected | None:
    """assistplan.yaml's settings, as the requested (or default) environment gives them."""
    before = len(diagnostics)
    parsed = _parse_file(path, name, root, context, diagnostics)
    diagnostics.extend(parsed.diagnostics)
    if len(diagnostics) > before:
        return None
    if not parsed.documents:
        message = 'assistplan.yaml is empty: it needs at least "project"'
        diagnostics.add(Diagnostic.error(message, range=_at_start(name)))
        return None
    if len(parsed.documents) > 1:
        where = parsed.documents[1].start
        diagnostics.add(Diagnostic.error("assistplan.yaml must hold a single document", range=where))
        return None
    document = parsed.documents[0]
    if not isinstance(document.value, dict):
        diagnostics.add(Diagnostic.error("assistplan.yaml must be a mapping", range=document.start))
        return None
    config, problems = validate_model(ProjectConfig, document.value, document.positions)
    diagnostics.extend(problems)
    if config is None:
        return None
    for named, key in _key_variables(config):
        if key in context.read:
            message = f'"{key}" holds an API key, and assistplan.yaml reads it with env(): templates never see secrets'
            spot = document.positions.value(named) or document.start
            diagnostics.add(Diagnostic.error(f"{'.'.join(named)}: {message}", range=spot))
    if len(diagnostics) > before:
        return None
    selected = select(config, environment, document.positions)
    if isinstance(selected, Diagnostic):
        diagnostics.add(selected)
        return None
    problem = _state_path_problem(selected.config.state, root)
    if problem is not None:
        at = document.positions.value(selected.state_at)
        diagnostics.add(Diagnostic.error(f"{'.'.join(map(str, selected.state_at))}: {problem}", range=at))
        return None
    return selected


def _key_variables(config: ProjectConfig) -> Iterator[tuple[tuple[str, ...], str]]:
    """Where assistplan.yaml names the variables holding API keys (its environments' included), and their names."""
    yield ("openai", "api_key_env"), config.openai.api_key_env
    if config.flowise is not None:
        yield ("flowise", "api_key_env"), config.flowise.api_key_env
    for name, environment in config.environments.items():
        for provider, override in (("openai", environment.openai), ("flowise", environment.flowise)):
            if override is not None and override.api_key_env is not None:
                yield ("environments", name, provider, "api_key_env"), override.api_key_env


def _state_path_problem(state: str, root: Path) -> str | None:
    """Why the state path cannot be used: it, and the lock and backup written beside it, must stay in the root."""
    if Path(state).is_absolute() or state.startswith(("/", "\\")):
        return f'"{state}" is absolute: write a path relative to assistplan.yaml, inside the manifest root'
    try:
        resolved = confined(root / state, root, state)
        if resolved == root or (resolved.exists() and not resolved.is_file()):
            return f'"{state}" is not a file'
    except Refused as exc:
        return str(exc)
    except OSError as exc:  # a name too long
        return f'"{state}" cannot be used: {_reason(exc)}'
    hidden = any(part.startswith(".") for part in resolved.relative_to(root).parts)
    if resolved.name.endswith(MANIFEST_SUFFIXES) and not hidden:
        return f'"{state}" would be read as a manifest (it ends in {resolved.suffix}): name it state.json, for example'
    return None


def _reason(error: OSError | RuntimeError) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def _referenced_files(parsed: list[_ParsedFile], cache: FileCache) -> set[Path]:
    """Files named by a declared `*_file` field: they are content, not manifests, even when they end in .yaml."""
    referenced: set[Path] = set()
    for item in parsed:
        for document in item.documents:
            if not isinstance(document.value, dict) or not isinstance(document.value.get("kind"), str):
                continue
            for relpath in file_references(document.value["kind"], document.value):
                try:
                    referenced.add(cache.inside(item.path.parent, relpath))
                except Refused:
                    continue
    return referenced


class _Collector:
    """Validates documents into Manifests, keeping addresses unique."""

    def __init__(self, diagnostics: Diagnostics, read: frozenset[str] = frozenset()) -> None:
        self.diagnostics = diagnostics
        self.read = read
        """The environment variables the templates read with env()."""
        self.seen: dict[Address, Document] = {}
        self.manifests: list[Manifest] = []

    def error(self, message: str, where: SourceRange | None, address: str | None = None) -> None:
        self.diagnostics.add(Diagnostic.error(message, range=where, address=address))

    def add(self, document: Document, item: _ParsedFile) -> None:
        data, positions = document.value, document.positions
        if not isinstance(data, dict):
            self.error('a manifest document must be a mapping with "kind" and "name"', document.start)
            return
        if self.read:
            for path, variable in _secret_references(data):
                if variable in self.read:
                    message = (
                        f'"{variable}" is a secret (given here as {{env: {variable}}}) and a template reads it with '
                        "env(): templates never see secrets"
                    )
                    self.error(f"{format_path(path)}: {message}", positions.value(path) or document.start)
        kind = data.get("kind")
        if kind is None:
            self.error('missing required field "kind"', document.start)
            return
        model = spec_type(kind) if isinstance(kind, str) else None
        if model is None:
            types = spec_types()
            hint = did_you_mean(kind, types) if len(self.diagnostics) < MAX_HINTED_ERRORS else ""
            message = f'unknown kind "{kind}"' + (hint or f": expected one of {', '.join(types)}")
            self.error(message, positions.value(("kind",)))
            return
        name = data.get("name")
        address = Address(kind, name) if isinstance(name, str) else None
        if address is not None:
            first = self.seen.get(address)
            if first is not None:
                defined = first.positions.value(("name",)) or first.start
                message = f"duplicate address {address} (first defined at {defined.start})"
                self.error(message, positions.value(("name",)), str(address))
                return
            self.seen[address] = document
        hints = len(self.diagnostics) < MAX_HINTED_ERRORS
        where = str(address) if address else None
        spec, problems = validate_model(model, data, positions, address=where, hints=hints, past_unknown_fields=True)
        self.diagnostics.extend(problems)
        if spec is not None and address is not None:
            resource_spec = spec
            self.manifests.append(
                Manifest(address, resource_spec, item.name, item.path.parent, positions, document.start)
            )


def _secret_references(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Where a manifest document gives a secret by reference (`{env: NAME}`, the only way a field takes one), and
    NAME: walked without recursion, whatever the document's depth."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            if len(value) == 1 and isinstance(value.get("env"), str):
                yield (*path, "env"), value["env"]
            else:
                stack.extend(((*path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in reversed(list(enumerate(value))))


def load_project(
    root: Path,
    *,
    cli_vars: Mapping[str, str] | None = None,
    var_files: Sequence[Path] = (),
    environ: Mapping[str, str] | None = None,
    environment: str | None = None,
    on_config: Callable[[ProjectConfig, str | None], None] | None = None,
    on_declared: Callable[[frozenset[str]], None] | None = None,
) -> Project:
    """Load, validate and resolve the manifests under `root`; raises ManifestError carrying every problem.

    Template variables: `vars` of assistplan.yaml, then each var file in order, then `cli_vars`; later ones win.
    assistplan.yaml itself is rendered with the var files, `cli_vars` and `env()`. `environ` defaults to os.environ.
    `environment` names one of assistplan.yaml's environments (None: its default one, if any); its vars come between
    the project's and the var files (see `assistplan.manifest.environments`). `on_config` is called with the
    configuration and the environment as soon as assistplan.yaml is read, before any manifest is, so that work that
    needs only them (reading the live objects) can start while the manifests load. `on_declared` is called with the
    kinds the manifests declare once every document is read and checked against its kind's model, before references
    are resolved, if no error was found by then.
    """
    try:
        root = Path(root).resolve()
        if not (root / CONFIG_FILE).exists() and not (root / CONFIG_FILE).is_symlink():
            hint = "" if root.is_dir() else " (not a folder)" if root.exists() else " (the folder does not exist)"
            raise ManifestError(_single(f"no {CONFIG_FILE} in {root}{hint}: create one with `assistplan init`"))
    except (OSError, RuntimeError) as error:  # a name too long, a loop of links
        raise ManifestError(_single(f"cannot open the manifest root {root}: {_reason(error)}")) from None
    diagnostics = Diagnostics()
    variables = dict(os.environ) if environ is None else dict(environ)
    name_of = display_namer()
    overrides: dict[str, Any] = {}
    for var_file in var_files:
        overrides |= _load_var_file(Path(var_file).resolve(), name_of(Path(var_file)), root, diagnostics)
    overrides |= dict(cli_vars or {})
    config_path = root / CONFIG_FILE
    context = TemplateContext(overrides, variables)
    selected = _load_config(config_path, name_of(config_path), root, context, diagnostics, environment)
    if selected is None:
        raise ManifestError(diagnostics)
    config = selected.config
    if on_config is not None:
        on_config(config, selected.environment)
    key_names = {config.openai.api_key_env} | ({config.flowise.api_key_env} if config.flowise else set())
    config_read = context.read  # what assistplan.yaml's own templates read, checked with the manifests' reads
    context = TemplateContext({**config.vars, **overrides}, variables, frozenset(key_names))
    excluded = {Path(var_file).resolve() for var_file in var_files}
    cache = FileCache(root)
    paths, escaping = discover(root)
    for link in escaping:
        name = name_of(link)
        diagnostics.source(name, None)
        message = f'"{name}" is a link to a folder outside the manifest root: manifests are read only from inside it'
        diagnostics.add(Diagnostic.error(message, range=_at_start(name)))
    parsed: list[_ParsedFile] = []
    budget = MAX_DOCUMENTS + 1
    for path in paths:
        if path.resolve() not in excluded and budget > 0:
            parsed.append(_parse_file(path, name_of(path), root, context, diagnostics, budget))
            budget -= len(parsed[-1].documents)
    referenced = _referenced_files(parsed, cache)
    collector = _Collector(diagnostics, frozenset(context.read | config_read))
    count = 0
    for item in parsed:
        if item.path.resolve() in referenced:
            continue
        diagnostics.extend(item.diagnostics)
        for document in item.documents:
            count += 1
            if count > MAX_DOCUMENTS:
                message = f"too many manifest documents: at most {MAX_DOCUMENTS} per project"
                diagnostics.add(Diagnostic.error(message, range=document.start))
                break
            if document.clean:
                collector.add(document, item)
        if count > MAX_DOCUMENTS:
            break
    if on_declared is not None and not diagnostics.has_errors:
        on_declared(frozenset(manifest.address.kind for manifest in collector.manifests))
    invalid = frozenset(collector.seen) - {manifest.address for manifest in collector.manifests}
    resolver = Resolver(config, context, cache, name_of, invalid)
    resources = resolver.resolve(collector.manifests)
    diagnostics.sources.update(resolver.sources)
    diagnostics.extend(resolver.diagnostics)
    resolved = [(m.address, resources[m.address].spec, m.positions, m.start) for m in collector.manifests]
    diagnostics.extend(check_policy(config.policy, resolved))
    if diagnostics.has_errors:
        raise ManifestError(diagnostics)
    return Project(
        root=root, config=config, resources=resources, warnings=diagnostics, environment=selected.environment
    )


def _single(message: str) -> Diagnostics:
    diagnostics = Diagnostics()
    diagnostics.add(Diagnostic.error(message))
    return diagnostics
