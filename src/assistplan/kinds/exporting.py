"""What a kind's `export` hook is given and returns (`assistplan export`).

`Kind.export(obj, ctx)` turns one live object into an `Exported`: the manifest document as plain data, the file it
goes to, its side files (long instructions, schemas, code), comments for the reader (what could not be read back and
what to do about it) and whether the object is adopted once written. The `ExportContext` holds what the hook cannot
know alone: the manifest name chosen for each object (`name`), the manifest name of an object another one refers to
by remote id (`reference`, which brings that object into the export when no manifest has it yet), Function manifests
shared by every tool with the same name and schema (`function`), and texts that are inline when short and files of
their own when long (`text`). The export itself (listing, filters, clashes, writing, adoption) is
`assistplan.export`.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistplan.kinds.base import Inventory, LiveObject, canonical_json

INLINE_LINES = 3
"""Texts of more lines than this go to their own file."""
NAME_LIMIT = 64
FUNCTION = "Function"


@dataclass
class Exported:
    """One manifest document made from a live object, and what goes with it."""

    document: dict[str, Any]
    """The document as plain data, `kind` and `name` first; paths in it are relative to the manifest's folder."""
    path: str
    """Where the manifest goes, relative to the output folder: one file per object (`agents/<name>.yaml`)."""
    files: dict[str, str] = field(default_factory=dict)
    """Side files by path relative to the output folder (`prompts/<name>.md`, `schemas/<function>.json`)."""
    comments: list[str] = field(default_factory=list)
    """Lines written as `# ...` above the document: what cannot be read back, and what the reader must do."""
    adopt: bool = True
    """Whether the live object is adopted (stamped and recorded in the state) once the manifest is written."""


def valid_name(text: str, pattern: str, fallback: str) -> str:
    """`text` as a name matching `pattern`: other characters become `-`, runs of them one, cut to 64 characters."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-._")
    if "." not in pattern:
        cleaned = cleaned.replace(".", "-")
    cleaned = cleaned[:NAME_LIMIT].rstrip("-._") or fallback
    return cleaned if re.match(pattern, cleaned) else fallback


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `name-3`, ... : the first not in `taken` ignoring case (files on case-insensitive disks
    must not collide), which it is then added to."""
    candidate, number = name, 2
    while candidate.lower() in taken:
        suffix = f"-{number}"
        candidate = f"{name[: NAME_LIMIT - len(suffix)]}{suffix}"
        number += 1
    taken.add(candidate.lower())
    return candidate


def keep_remote_name(exported: Exported, remote: str) -> None:
    """Keep the object's remote name in `display_name` where it is not the manifest name, an empty one too (an
    object without a name is exported under a name made from its id and stays without one)."""
    if remote != exported.document["name"]:
        exported.document["display_name"] = remote


def relative(manifest: str, target: str) -> str:
    """The path of `target` as a manifest at `manifest` names it (both relative to the output folder)."""
    return posixpath.relpath(target, posixpath.dirname(manifest) or ".")


@dataclass
class FunctionDocument:
    """A Function manifest the export writes: its name, the tool name the model calls, its content."""

    name: str
    tool_name: str
    description: str
    parameters: dict[str, Any]
    strict: bool


RESERVED_VARIABLES = ("GITHUB_", "RUNNER_", "ACTIONS_", "CI", "PATH", "HOME")
"""Names, and prefixes ending in `_`, that CI runners set or reserve (GitHub Actions refuses a variable or secret named
`GITHUB_*`, and sets `GITHUB_TOKEN` in every job): a variable an export names for a secret never takes one, lest an
apply send the runner's value as the secret."""


def secret_variable(name: str, field: str) -> str:
    """The environment variable an exported manifest names for a secret it cannot read back: `OpenAI-key-prod` and
    `openAIApiKey` give `OPENAI_KEY_PROD_OPEN_AI_API_KEY`, and a name a runner reserves is prefixed with
    `ASSISTPLAN_` (`github`, `token`: `ASSISTPLAN_GITHUB_TOKEN`)."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", field)
    env = re.sub(r"[^A-Za-z0-9]+", "_", f"{name}_{words}").strip("_").upper()
    reserved = any(env.startswith(word) if word.endswith("_") else env == word for word in RESERVED_VARIABLES)
    if reserved or not re.match(r"^[A-Z_]", env):
        return f"ASSISTPLAN_{env}"
    return env


class ExportContext:
    """What every `Kind.export` hook is given (one per export run, shared by every kind)."""

    def __init__(
        self,
        project: str,
        inventory: Inventory,
        names: Mapping[str, str],
        include: Callable[[str, str], str | None],
        functions: Mapping[str, dict[str, Any]],
    ) -> None:
        self.project = project
        self.inventory = inventory
        """Every listed object, this project's or not (`Inventory.exporting`)."""
        self._names = names
        self._include = include
        self._existing_functions = {
            canonical_json({"name": content.get("name", name), **_content(content)}): name
            for name, content in functions.items()
        }
        self._function_names = {name.lower() for name in functions}
        self.functions: dict[str, FunctionDocument] = {}
        """The Function manifests this export writes, by content."""
        self._paths: set[str] = set()
        self.left_out: list[str] = []
        """Objects an export hook leaves out, each with the reason (what to do to export it)."""
        self.exporting: str | None = None
        """The remote id of the object whose hook runs (set by the export around each call)."""
        self.refers: dict[str, set[str]] = {}
        """Remote id -> the remote ids its manifest names through `reference`."""

    def leave_out(self, obj: LiveObject, reason: str) -> None:
        """Say why an object is not exported (its hook then returns None): by the address it would have had, which
        what names it is told too."""
        name = self._names.get(obj.id)
        self.left_out.append(f"{obj.kind}/{name}: {reason}" if name else f"{obj.kind} {obj.id}: {reason}")

    def name(self, obj: LiveObject) -> str:
        """The manifest name of an object being exported."""
        return self._names[obj.id]

    def reference(self, kind: str, remote_id: str) -> str | None:
        """The manifest name of the object of `kind` with this remote id: the project's address for it, or the
        name it is exported under (it comes along even when the filters left it out). None when no manifest can
        name it (gone, or another project's)."""
        found = self._include(kind, remote_id)
        if found is not None and self.exporting is not None:
            self.refers.setdefault(self.exporting, set()).add(remote_id)
        return found

    def function(self, tool_name: str, description: str, parameters: Mapping[str, Any], strict: bool = False) -> str:
        """The Function manifest for a function tool: one the project has with the same name and content, one this
        export already made, or a new one (named after the tool; another valid name when that one is taken by a
        different schema, the tool's name then kept as `tool_name`)."""
        content = {"description": description, "parameters": dict(parameters), "strict": strict}
        key = canonical_json({"name": tool_name, **content})
        if key in self._existing_functions:
            return self._existing_functions[key]
        if key not in self.functions:
            from assistplan.manifest.fields import FUNCTION_NAME_PATTERN

            name = unique(valid_name(tool_name, FUNCTION_NAME_PATTERN, "function"), self._function_names)
            self.functions[key] = FunctionDocument(name, tool_name, description, dict(parameters), strict)
        return self.functions[key].name

    def path(self, wanted: str) -> str:
        """`wanted` (relative to the output folder), or a free variant of it (`-2` before the suffix)."""
        stem, dot, suffix = wanted.rpartition(".")
        if not dot:
            stem, suffix = wanted, ""
        candidate, number = wanted, 2
        while candidate.lower() in self._paths:
            candidate = f"{stem}-{number}{dot}{suffix}"
            number += 1
        self._paths.add(candidate.lower())
        return candidate

    def text(self, exported: Exported, key: str, text: str | None, path: str) -> None:
        """Put `text` in the document: inline as `key` when it has at most `INLINE_LINES` lines, else in its own
        file at `path` (relative to the output folder) named by `<key>_file`. Nothing for an empty text."""
        if not text:
            return
        if text.count("\n") < INLINE_LINES or (text.count("\n") == INLINE_LINES and text.endswith("\n")):
            exported.document[key] = text
            return
        target = self.path(path)
        exported.files[target] = text
        exported.document[f"{key}_file"] = relative(exported.path, target)

    def function_documents(self) -> list[Exported]:
        """The Function manifests this export writes (not adopted: a Function has no remote object)."""
        documents = []
        for function in self.functions.values():
            path = f"functions/{function.name}.yaml"
            exported = Exported({"kind": FUNCTION, "name": function.name}, path, adopt=False)
            if function.tool_name != function.name:
                exported.document["tool_name"] = function.tool_name
                exported.comments.append(
                    f'The tool is called "{function.tool_name}"; another function of that name has a different schema.'
                )
            if function.description:
                exported.document["description"] = function.description
            if function.strict:
                exported.document["strict"] = True
            self.json_file(exported, "parameters_file", function.parameters, f"schemas/{function.name}.json")
            documents.append(exported)
        return documents

    def json_file(self, exported: Exported, key: str, value: Any, path: str) -> None:
        """Put `value` in its own JSON file at `path`, named by `key` in the document."""
        target = self.path(path)
        exported.files[target] = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
        exported.document[key] = relative(exported.path, target)


def _content(function: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "description": function.get("description", ""),
        "parameters": function.get("parameters") or {"type": "object", "properties": {}},
        "strict": bool(function.get("strict", False)),
    }
