"""Hypothesis strategies for whole manifest roots of the OpenAI kinds: Function, File, VectorStore, Assistant, Agent
(the Agents platform kinds are added by `invariants.platform`).

A `GeneratedProject` is data: the manifest documents (plain dicts, written as YAML) and the small local files they
name. Every generated value stays inside what `assistplan validate` accepts: names follow the documented patterns,
metadata stays within 13 pairs of short keys and values, chunk overlaps are at most half the chunk size, strict
function schemas follow the strict rules, files are non-empty text with extensions file search supports, references
name resources of the same project. Text never contains `{` or `}` (manifests are Jinja templates).
"""

from __future__ import annotations

import json
import operator
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

FUNCTION_KINDS = ("Function",)
KINDS = ("Function", "File", "VectorStore", "Assistant", "Agent")

PLAIN = string.ascii_letters + string.digits
TEXT_CHARS = st.characters(
    codec="utf-8",
    categories=("L", "N", "Zs"),
    include_characters=".,;:!?'\"-()/_*@\n",
    exclude_characters="{}\x85\u2028\u2029",
)
"""Letters (any script), digits, spaces and common punctuation; no braces (Jinja) and no exotic line breaks."""


def text(min_size: int = 0, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(TEXT_CHARS, min_size=min_size, max_size=max_size)


resource_names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z")
function_names = st.from_regex(r"\A[a-zA-Z0-9_-]{1,24}\Z")
metadata_keys = st.text(PLAIN + "_-:.", min_size=1, max_size=64).filter(lambda key: not key.startswith("assistplan:"))
metadata = st.dictionaries(metadata_keys, text(max_size=80), min_size=1, max_size=13)
present = st.booleans().map(operator.not_)
"""Whether an optional field is written: True in hypothesis's simplest example, so the first project of every
property already uses every field (with small values), and later ones leave fields out at random."""


@dataclass
class GeneratedProject:
    """Manifest documents by file, and the local files they use, ready to be written into a manifest root."""

    manifests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    """Files that are uploaded (File, VectorStore and code_interpreter files), by path from the root."""
    sources: dict[str, str] = field(default_factory=dict)
    """Files the manifests read through `*_file` fields (instructions, parameters), skill folders and files sent
    inline, by path from the root."""
    env: dict[str, str] = field(default_factory=dict)
    """The environment variables the manifests' `{env: NAME}` references read, with their values."""

    @property
    def documents(self) -> list[dict[str, Any]]:
        return [document for documents in self.manifests.values() for document in documents]

    def addresses(self, *, remote_only: bool = True) -> set[str]:
        """`Kind/name` of every document; by default only the kinds that are remote objects (not Function)."""
        return {
            f"{document['kind']}/{document['name']}"
            for document in self.documents
            if not (remote_only and document["kind"] in FUNCTION_KINDS)
        }

    def kinds(self) -> set[str]:
        return {document["kind"] for document in self.documents}

    def write(self, root: Path) -> None:
        """Write the manifests and files under `root` (which already holds `assistplan.yaml`)."""
        for name, content in {**self.files, **self.sources}.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        for name, documents in self.manifests.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.render(documents), encoding="utf-8")

    @staticmethod
    def render(documents: list[dict[str, Any]]) -> str:
        return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True, width=1000)

    def clear(self, root: Path) -> None:
        """Remove what `write` wrote under `root` (the manifests and the files), leaving `assistplan.yaml` and state."""
        for name in [*self.files, *self.sources, *self.manifests]:
            (root / name).unlink(missing_ok=True)

    def listing(self) -> str:
        """The whole project as text, for failure reports and /work/notes/invariants.md."""
        parts = [f"# {name}\n{self.render(documents)}" for name, documents in self.manifests.items()]
        parts += [f"# {name}\n{content!r}\n" for name, content in {**self.files, **self.sources}.items()]
        parts += [f"# ${name}={value}" for name, value in self.env.items()]
        return "\n".join(parts)


REFERENCES = {"agent": "Agent", "vault": "Vault", "environment_template": "EnvironmentTemplate"}
"""Top-level manifest fields that name another resource, and its kind."""


def references(documents: list[dict[str, Any]]) -> set[str]:
    """The `Kind/name` of every resource some document names (an Automation's agent, template and vaults, a
    credential's vault, a template's Files and Skills, an MCP tool's credential)."""
    named: set[str] = set()
    for document in documents:
        named |= {f"{kind}/{document[key]}" for key, kind in REFERENCES.items() if isinstance(document.get(key), str)}
        named |= {f"Vault/{vault}" for vault in document.get("vaults", [])}
        named |= {
            f"File/{entry['file']}"
            for entry in document.get("files", [])
            if isinstance(entry, dict) and "file" in entry
        }
        named |= {f"Skill/{entry['skill']}" for entry in document.get("skills", [])}
        named |= {
            f"VaultCredential/{tool['credential']}"
            for tool in document.get("tools", [])
            if isinstance(tool, dict) and "credential" in tool
        }
    return named


def unique_names(names: st.SearchStrategy[str], min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(names, min_size=min_size, max_size=max_size, unique_by=str.lower)


@st.composite
def schemas(draw: st.DrawFn, *, strict: bool) -> dict[str, Any]:
    """A JSON Schema of function arguments: an object with a few scalar, enum or array properties."""
    names = draw(st.lists(st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z"), min_size=1, max_size=4, unique=True))
    properties: dict[str, Any] = {}
    for name in names:
        kind = draw(st.sampled_from(["string", "integer", "number", "boolean", "enum", "array"]))
        if kind == "enum":
            prop: dict[str, Any] = {"type": "string", "enum": draw(st.lists(text(1, 12), min_size=1, max_size=4))}
        elif kind == "array":
            prop = {"type": "array", "items": {"type": "string"}}
        else:
            prop = {"type": kind}
        if draw(present):
            prop["description"] = draw(text(1, 60))
        properties[name] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if strict:
        schema["required"] = list(names)
        schema["additionalProperties"] = False
    else:
        required = [name for name in names if draw(st.booleans())]
        if required:
            schema["required"] = required
    return schema


@st.composite
def functions(draw: st.DrawFn, name: str, project: GeneratedProject) -> dict[str, Any]:
    strict = draw(present)
    document: dict[str, Any] = {"kind": "Function", "name": name, "description": draw(text(1, 120))}
    if strict:
        document["strict"] = True
    parameters = draw(schemas(strict=strict))
    if draw(st.booleans()):
        document["parameters_file"] = f"schemas/{name}.json"
        project.sources[f"schemas/{name}.json"] = json.dumps(parameters, ensure_ascii=False, indent=2)
    else:
        document["parameters"] = parameters
    return document


def instructions(draw: st.DrawFn, document: dict[str, Any], project: GeneratedProject, from_file: bool) -> None:
    """Instructions inline, or from a prompt file (`instructions_file`) next to the manifest."""
    if from_file:
        path = f"prompts/{document['kind'].lower()}-{document['name']}.md"
        document["instructions_file"] = path
        project.sources[path] = draw(text(1, 300))
    else:
        document["instructions"] = draw(text(0, 300))


file_contents = text(1, 200).filter(lambda content: content.strip() != "")


@st.composite
def chunkings(draw: st.DrawFn) -> Any:
    if not draw(present):
        return "auto"
    size = draw(st.integers(100, 4096))
    return {"max_chunk_size_tokens": size, "chunk_overlap_tokens": draw(st.integers(0, size // 2))}


@st.composite
def vector_stores(draw: st.DrawFn, name: str, index: int, project: GeneratedProject) -> dict[str, Any]:
    """A vector store over 1-3 new documents, named by path or by a glob of its own folder."""
    folder = f"knowledge/store{index}"
    count = draw(st.integers(1, 3))
    paths = [f"{folder}/doc{i}.{draw(st.sampled_from(['md', 'txt']))}" for i in range(count)]
    for path in paths:
        project.files[path] = draw(file_contents)
    document: dict[str, Any] = {"kind": "VectorStore", "name": name}
    if draw(present):
        document["description"] = draw(text(0, 80))
    document["files"] = [f"store{index}/*"] if draw(st.booleans()) else [path.partition("/")[2] for path in paths]
    if draw(present):
        document["chunking"] = draw(chunkings())
    if draw(present):
        document["expires_after_days"] = draw(st.integers(1, 365))
    if draw(present):
        document["metadata"] = draw(metadata)
    return document


@st.composite
def files(draw: st.DrawFn, name: str, index: int, project: GeneratedProject) -> dict[str, Any]:
    path = f"uploads/file{index}.{draw(st.sampled_from(['txt', 'md', 'csv', 'json']))}"
    project.files[path] = draw(file_contents)
    document: dict[str, Any] = {"kind": "File", "name": name, "path": path.partition("/")[2]}
    if draw(present):
        document["purpose"] = draw(st.sampled_from(["assistants", "user_data"]))
    return document


def function_tools(draw: st.DrawFn, function_names: list[str]) -> list[str]:
    if not function_names:
        return []
    return draw(st.lists(st.sampled_from(function_names), unique=True, min_size=1, max_size=3))


@st.composite
def response_formats(draw: st.DrawFn) -> Any:
    choice = draw(st.sampled_from(["json_schema", "json_object", "text", "auto"]))
    if choice == "auto":
        return "auto"
    if choice != "json_schema":
        return {"type": choice}
    strict = draw(present)
    options: dict[str, Any] = {"name": draw(function_names), "schema": draw(schemas(strict=strict))}
    if strict:
        options["strict"] = True
    if draw(present):
        options["description"] = draw(text(1, 60))
    return {"type": "json_schema", "json_schema": options}


@st.composite
def assistants(
    draw: st.DrawFn, name: str, project: GeneratedProject, function_names: list[str], store_names: list[str]
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "Assistant",
        "name": name,
        "model": draw(st.sampled_from(["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini"])),
    }
    if draw(present):
        document["description"] = draw(text(0, 120))
    if draw(present):
        instructions(draw, document, project, from_file=draw(present))
    tools: list[Any] = []
    if store_names and draw(present):
        tools.append("file_search")
        search: dict[str, Any] = {"vector_store": draw(st.sampled_from(store_names))}
        if draw(present):
            search["max_num_results"] = draw(st.integers(1, 50))
        if draw(present):
            search["ranking_options"] = {
                "ranker": draw(st.sampled_from(["auto", "default_2024_08_21"])),
                "score_threshold": draw(st.floats(0, 1)),
            }
        document["file_search"] = search
    if draw(present):
        tools.append("code_interpreter")
        if draw(present):
            count = draw(st.integers(1, 3))
            paths = [f"data/{name}-{i}.csv" for i in range(count)]
            for path in paths:
                project.files[path] = draw(file_contents)
            document["code_interpreter"] = {"files": paths}
    tools += [{"function": function} for function in function_tools(draw, function_names)]
    if tools:
        document["tools"] = draw(st.permutations(tools))
    if draw(present):
        document["temperature"] = draw(st.floats(0, 2))
    if draw(present):
        document["top_p"] = draw(st.floats(0, 1))
    if draw(present):
        document["response_format"] = draw(response_formats())
    if draw(present):
        document["reasoning_effort"] = draw(st.sampled_from(["low", "medium", "high"]))
    if draw(present):
        document["metadata"] = draw(metadata)
    return document


@st.composite
def web_search_tools(draw: st.DrawFn) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "web_search"}
    if draw(present):
        tool["allowed_domains"] = draw(st.lists(st.from_regex(r"\A[a-z]{1,10}\.example\Z"), max_size=3, unique=True))
    if draw(present):
        tool["context_size"] = draw(st.sampled_from(["low", "medium", "high"]))
    if draw(present):
        tool["mode"] = draw(st.sampled_from(["disabled", "cached", "live"]))
    if draw(present):
        tool["location"] = {"country": draw(st.sampled_from(["US", "FR", "JP"])), "city": draw(text(1, 20))}
    return tool


OTHER_AGENT_TOOLS = [
    {"type": "tool_search"},
    {"type": "computer_use", "include_screenshots": True},
    {"type": "programmatic_tool_calling", "enabled": False},
    {"type": "automations"},
    {"type": "mcp", "server_label": "docs", "transport": {"type": "http", "server_url": "https://mcp.example/docs"}},
    {
        "type": "mcp",
        "server_label": "local",
        "transport": {"type": "stdio", "command": "docs-server", "cwd": "/srv", "args": ["--read-only"]},
        "allowed_tools": ["search"],
        "required": True,
    },
]


@st.composite
def agents(draw: st.DrawFn, name: str, project: GeneratedProject, function_names: list[str]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": "Agent",
        "name": name,
        "model": draw(st.sampled_from(["gpt-5", "gpt-5-mini", "gpt-4.1"])),
    }
    if draw(present):
        instructions(draw, document, project, from_file=draw(st.booleans()))
    tools: list[Any] = []
    for function in function_tools(draw, function_names):
        tool: dict[str, Any] = {"function": function}
        if draw(present):
            tool["defer_loading"] = draw(st.booleans())
        tools.append(tool)
    if draw(present):
        tools.append(draw(web_search_tools()))
    if draw(present):
        tools.append(draw(st.sampled_from(OTHER_AGENT_TOOLS)))
    if tools:
        document["tools"] = draw(st.permutations(tools))
    if draw(present):
        reasoning: dict[str, Any] = {"effort": draw(st.sampled_from(["minimal", "low", "medium", "high"]))}
        if draw(present):
            reasoning["summary"] = draw(st.sampled_from(["concise", "detailed", "auto"]))
        document["reasoning"] = reasoning
    if draw(present):
        agent_text: dict[str, Any] = {"verbosity": draw(st.sampled_from(["low", "medium", "high"]))}
        if draw(present):
            agent_text["format"] = {"type": "json_schema", "schema": draw(schemas(strict=True))}
        document["text"] = agent_text
    if draw(present):
        document["service_tier"] = draw(st.sampled_from(["auto", "default", "flex", "priority"]))
    if draw(present):
        document["metadata"] = draw(metadata)
    return document


@st.composite
def projects(draw: st.DrawFn, *, assistants_allowed: bool = True, agents_allowed: bool = True) -> GeneratedProject:
    """A manifest root with every remote kind the profile serves: at least one File, VectorStore, and Assistant
    and/or Agent, a few Functions they use, random fields, and references between them."""
    project = GeneratedProject()
    function_names_ = draw(unique_names(function_names, 1, 3))
    project.manifests["functions.yaml"] = [draw(functions(name, project)) for name in function_names_]
    file_names = draw(unique_names(resource_names, 1, 2))
    project.manifests["uploads/files.yaml"] = [
        draw(files(name, index, project)) for index, name in enumerate(file_names)
    ]
    store_names = draw(unique_names(resource_names, 1, 2))
    project.manifests["knowledge/stores.yaml"] = [
        draw(vector_stores(name, index, project)) for index, name in enumerate(store_names)
    ]
    if assistants_allowed:
        project.manifests["assistants.yaml"] = [
            draw(assistants(name, project, function_names_, store_names))
            for name in draw(unique_names(resource_names, 1, 2))
        ]
    if agents_allowed:
        project.manifests["agents.yaml"] = [
            draw(agents(name, project, function_names_)) for name in draw(unique_names(resource_names, 1, 2))
        ]
    project.manifests = {name: documents for name, documents in project.manifests.items() if documents}
    return project


@st.composite
def changes(draw: st.DrawFn, project: GeneratedProject) -> GeneratedProject:
    """A next version of `project`, as a later commit would be: some local files get new content (new blobs, the old
    ones to be deleted), Files and Agents that nothing refers to may be removed, instructions and metadata change."""
    changed = GeneratedProject(files=dict(project.files), sources=dict(project.sources), env=dict(project.env))
    named = references(project.documents)
    for path, content in project.files.items():
        if draw(present):
            changed.files[path] = content + draw(text(1, 20))
    for name, documents in project.manifests.items():
        kept = []
        for document in documents:
            address = f"{document['kind']}/{document['name']}"
            if document["kind"] in ("File", "Agent") and address not in named and draw(st.booleans()):
                if document["kind"] == "File":
                    changed.files.pop(str(Path(name).parent / document["path"]), None)
                continue
            document = dict(document)
            if document["kind"] in ("Assistant", "Agent") and draw(present):
                if "instructions_file" in document:
                    changed.sources[document["instructions_file"]] = draw(text(1, 100))
                else:
                    document["instructions"] = draw(text(0, 100))
            if document["kind"] in ("VectorStore", "Assistant", "Agent") and draw(st.booleans()):
                document["metadata"] = draw(metadata)
            kept.append(document)
        if kept:
            changed.manifests[name] = kept
    return changed
