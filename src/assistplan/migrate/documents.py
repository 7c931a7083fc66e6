"""What the migrations share: a resource's document as the user wrote it, YAML written as a person would (comments
where something needs attention, templates kept), names that do not clash, and the files laid out and written
without ever overwriting one.

A manifest is a Jinja template, so the value a migration carries over is taken from the document as written when it
parses as YAML on its own (`{{ vars.model }}` stays a template); otherwise from the loaded value, with any text that
looks like a template wrapped in `{% raw %}` so that rendering the new manifest gives that value back.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistplan.errors import AssistplanError
from assistplan.manifest.project import Resource
from assistplan.manifest.templating import is_template

SEPARATOR = re.compile(r"^---(\s|$)")
MODELINE = "# yaml-language-server:"
WIDTH = 118


@dataclass(frozen=True)
class Source:
    """A resource's document in its file."""

    path: Path
    """The manifest file, absolute."""
    display: str
    """The file as named to the user (relative to the manifest root)."""
    start: int
    """The document's first line (0-based, after a `---` separator)."""
    end: int
    """One past its last line."""
    written: dict[str, Any] | None
    """The document as written, when it parses as YAML without rendering and names the same resource."""
    modeline: str | None
    """The file's `# yaml-language-server: $schema=...` line, if any."""

    @property
    def directory(self) -> Path:
        return self.path.parent

    def value(self, rendered: Any, *keys: str) -> Any:
        """The value at `keys` as written when known, else `rendered` made safe to render again."""
        node: Any = self.written
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return template_safe(rendered)
            node = node[key]
        return node

    def path_value(self, rendered: str, target: Path, *keys: str) -> Any:
        """A path field (relative to the document's folder) for a document written in the folder `target`."""
        if target == self.directory:
            return self.value(rendered, *keys)
        return template_safe(relative(self.directory / rendered, target))

    def modeline_for(self, target: Path) -> list[str]:
        """The file's editor modeline, its schema path made relative to `target`."""
        if self.modeline is None:
            return []
        head, _, schema = self.modeline.partition("$schema=")
        if target == self.directory or not schema or "://" in schema:
            return [self.modeline]
        return [f"{head}$schema={relative(self.directory / schema.strip(), target)}"]


def source_of(resource: Resource, root: Path) -> Source:
    path = Path(resource.source.file).resolve()
    lines = path.read_text(encoding="utf-8").splitlines()
    line = resource.source.start.line - 1
    start = next((index + 1 for index in range(line, -1, -1) if SEPARATOR.match(lines[index])), 0)
    end = next((index for index in range(line + 1, len(lines)) if SEPARATOR.match(lines[index])), len(lines))
    written: dict[str, Any] | None
    try:
        parsed = yaml.safe_load("\n".join(lines[start:end]))
    except yaml.YAMLError:
        parsed = None
    address = resource.address
    names = (address.kind, address.name)
    written = parsed if isinstance(parsed, dict) and (parsed.get("kind"), parsed.get("name")) == names else None
    modeline = next((text for text in lines[:5] if text.startswith(MODELINE)), None)
    return Source(path, relative(path, root), start, end, written, modeline)


def relative(path: Path, directory: Path) -> str:
    return Path(os.path.relpath(path, directory)).as_posix()


def template_safe(value: Any) -> Any:
    """`value` with every string that looks like a template wrapped in `{% raw %}`."""
    if isinstance(value, str):
        return "{% raw %}" + value + "{% endraw %}" if is_template(value) else value
    if isinstance(value, dict):
        return {key: template_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [template_safe(item) for item in value]
    return value


def unique_name(base: str, suffix: str, taken: set[str]) -> str:
    """`base` if free, else `base-suffix`, then `base-suffix-2`, `-3`... (kept within 64 characters); the chosen
    name is added to `taken`."""
    candidates = [base, f"{base[: 63 - len(suffix)]}-{suffix}"]
    candidates += (f"{base[: 60 - len(suffix)]}-{suffix}-{number}" for number in range(2, 1000))
    name = next(candidate for candidate in candidates if candidate not in taken)
    taken.add(name)
    return name


@dataclass
class Document:
    """A manifest document being written: comment lines, then fields in order (each with its own comments)."""

    comments: list[str] = field(default_factory=list)
    fields: list[tuple[str, Any, list[str]]] = field(default_factory=list)

    def add(self, key: str, value: Any, *comments: str) -> None:
        self.fields.append((key, value, list(comments)))

    def text(self) -> str:
        lines = [*_comment_lines(self.comments)]
        for key, value, comments in self.fields:
            lines += _comment_lines(comments)
            lines.append(dump({key: value}).rstrip("\n"))
        return "\n".join(lines) + "\n"


def _comment_lines(comments: list[str]) -> list[str]:
    return [f"# {line}" for comment in comments for line in textwrap.wrap(comment, WIDTH - 2)]


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, multi-line text as `|` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Multi-line text as a `|` block (when no line ends in spaces, which a block would lose), a template in double
    quotes, anything else as PyYAML chooses."""
    style: str | None = None
    if "\n" in value:
        style = None if any(line != line.rstrip() for line in value.splitlines()) else "|"
    elif is_template(value):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH, default_flow_style=False)


@dataclass
class Output:
    """The files a migration writes: new files, and documents replaced in place."""

    new_files: dict[Path, str] = field(default_factory=dict)
    replaced: dict[Path, list[tuple[int, int, str]]] = field(default_factory=dict)
    """File -> (start, end, text): lines start..end (a document) become `text`."""

    def add_file(self, path: Path, documents: list[Document], header: list[str]) -> None:
        if path in self.new_files:
            raise AssistplanError(f"two resources would be written to {path}")
        self.new_files[path] = "\n".join([*header, "---\n".join(doc.text() for doc in documents)])

    def replace(self, source: Source, documents: list[Document]) -> None:
        """Replace the document of `source` in its file; refused when that document is not plain YAML as written
        (a Jinja loop or condition makes it), since its text is not the one resource's alone."""
        if source.written is None:
            raise AssistplanError(
                f"{source.display}:{source.start + 1}: this document only becomes YAML when rendered, so it cannot "
                "be replaced in place: migrate without --in-place and delete the old document yourself"
            )
        self.replaced.setdefault(source.path, []).append(
            (source.start, source.end, "---\n".join(doc.text() for doc in documents))
        )

    def add_after(self, source: Source, documents: list[Document]) -> None:
        """Add documents to the file of `source`, right after its document (which stays as it is)."""
        self.replaced.setdefault(source.path, []).append(
            (source.end, source.end, "---\n" + "---\n".join(doc.text() for doc in documents))
        )

    def write(self, extra: dict[Path, str]) -> list[Path]:
        """Write everything (plus `extra`, such as the report), after checking that no new file exists."""
        try:
            return self._write({**self.new_files, **extra})
        except OSError as error:
            where = f" {error.filename}" if error.filename else ""
            raise AssistplanError(f"cannot write{where}: {error.strerror or error}") from None

    def _write(self, new_files: dict[Path, str]) -> list[Path]:
        existing = sorted(str(path) for path in new_files if path.exists() or path.is_symlink())
        if existing:
            raise AssistplanError(
                "migrate never overwrites a file, and these exist already (was this migrated before? delete or "
                "move them to migrate again): " + ", ".join(existing)
            )
        for path, text in new_files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for path, replacements in self.replaced.items():
            lines = path.read_text(encoding="utf-8").splitlines()
            for start, end, text in sorted(replacements, reverse=True):
                kept = [line for line in lines[start:end] if line.startswith(MODELINE)]
                lines[start:end] = [*kept, *text.rstrip("\n").split("\n")]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return [*new_files, *self.replaced]
