"""`migrate assistants-to-agents`: for each Assistant manifest, the Agent that does the same job and, where the
assistant ran code, the EnvironmentTemplate that holds its files; with the report of what carries over, what changes
meaning and what has no equivalent on the Agents API (see the API reference: Agents have no file_search or
code_interpreter tool, no sampling parameters, function tools without `strict`, and `text.format` instead of
`response_format`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from assistplan.addrs import reference
from assistplan.manifest.models import (
    AssistantSpec,
    FunctionRef,
    FunctionSpec,
    JsonObjectResponseFormat,
    JsonSchemaResponseFormat,
    TextResponseFormat,
)
from assistplan.manifest.project import LocalFile, Project, Resource
from assistplan.manifest.template_models import INLINE_DATA_MAX, WORKSPACE, workspace_path_problem
from assistplan.migrate.documents import Document, Output, Source, relative, source_of, unique_name
from assistplan.migrate.report import Migrated, Report

COMMAND = "assistplan migrate assistants-to-agents"
INLINE_BYTES_MAX = INLINE_DATA_MAX // 4 * 3
"""The largest file a template can carry inline (base64 of at most INLINE_DATA_MAX characters)."""


def migrate_assistants(project: Project, *, out: Path | None, in_place: bool) -> tuple[Output, Report]:
    """The Agent (and EnvironmentTemplate) manifests for every Assistant of `project`, and the report."""
    report = Report("Migration of Assistants to Agents")
    output = Output()
    taken = {kind: {resource.address.name for resource in project.of_kind(kind)} for kind in _KINDS}
    functions = {r.address.name: r.spec for r in project.of_kind("Function") if isinstance(r.spec, FunctionSpec)}
    for resource in project.of_kind("Assistant"):
        source = source_of(resource, project.root)
        target = source.directory if in_place or out is None else out.resolve()
        agent_name = unique_name(resource.address.name, "agent", taken["Agent"])
        path = source.path if in_place else target / f"{resource.address.name}.agent.yaml"
        migrated = Migrated(
            str(resource.address), source.display, [reference("Agent", agent_name)], relative(path, project.root)
        )
        documents = _Migration(resource, source, target, migrated, functions).documents(agent_name, taken)
        if in_place:
            output.replace(source, documents)
        else:
            output.add_file(path, documents, source.modeline_for(target))
        report.migrated.append(migrated)
    if report.migrated:
        report.next_steps = _next_steps(project, report)
    return output, report


_KINDS = ("Agent", "EnvironmentTemplate", "File")


class _Migration:
    """One Assistant's migration: the documents written, the report entries noted on the way."""

    def __init__(
        self,
        resource: Resource,
        source: Source,
        target: Path,
        migrated: Migrated,
        functions: dict[str, FunctionSpec],
    ) -> None:
        spec = resource.spec
        if not isinstance(spec, AssistantSpec):
            raise TypeError(f"{resource.address} is not an Assistant")
        self.resource = resource
        self.spec = spec
        self.source = source
        self.target = target
        self.report = migrated
        self.functions = functions

    def documents(self, agent_name: str, taken: dict[str, set[str]]) -> list[Document]:
        spec, report = self.spec, self.report
        agent = Document([f"Migrated from {self.resource.address} ({self.source.display}) by `{COMMAND}`."])
        agent.add("kind", "Agent")
        agent.add("name", agent_name)
        report.carries("name", f'the Agent is named "{agent_name}"' + self._renamed(agent_name))
        agent.add("model", self.source.value(spec.model, "model"))
        report.carries("model", f"the same model id ({spec.model})")
        self._description(agent)
        self._instructions(agent)
        tools, tool_comments = self._tools()
        if tools:
            agent.add("tools", tools, *tool_comments)
        elif tool_comments:
            agent.comments += tool_comments
        if spec.reasoning_effort is not None:
            agent.add("reasoning", {"effort": spec.reasoning_effort})
            report.carries("reasoning_effort", f"becomes reasoning.effort: {spec.reasoning_effort}")
        self._response_format(agent)
        self._sampling(agent)
        if spec.metadata:
            agent.add("metadata", self.source.value(spec.metadata, "metadata"))
            report.carries("metadata", "the same pairs")
        self._lifecycle(agent)
        documents = [agent]
        if "code_interpreter" in spec.tools:
            template_name = unique_name(agent_name, "environment", taken["EnvironmentTemplate"])
            template, files = self._template(template_name, agent_name, taken["File"])
            documents += [template, *files]
        return documents

    def _renamed(self, agent_name: str) -> str:
        if agent_name == self.resource.address.name:
            return " (the assistant's name)"
        return f' (an Agent named "{self.resource.address.name}" exists already, so the name takes a suffix)'

    def _description(self, agent: Document) -> None:
        if self.spec.description:
            agent.comments.append(f"Description (Agents have none): {self.spec.description}")
            self.report.lacks("description", "Agents have no description: it is kept as a comment above the Agent.")

    def _instructions(self, agent: Document) -> None:
        spec = self.spec
        if spec.instructions_file is not None:
            value = self.source.path_value(spec.instructions_file, self.target, "instructions_file")
            agent.add("instructions_file", value)
            self.report.carries("instructions", f"the same file ({value})")
        elif spec.instructions is not None:
            agent.add("instructions", self.source.value(spec.instructions, "instructions"))
            self.report.carries("instructions", "the same text")
        else:
            return
        self.report.changes(
            "instructions",
            "an Agent's instructions are appended to the Agents API's built-in base instructions instead of being "
            "the whole system prompt: check that the answers still follow them.",
        )

    def _tools(self) -> tuple[list[dict[str, Any]], list[str]]:
        tools: list[dict[str, Any]] = []
        comments: list[str] = []
        for tool in self.spec.tools:
            if isinstance(tool, FunctionRef):
                tools.append({"function": tool.function})
                self._function(tool.function)
            elif tool == "file_search":
                comments.append(self._file_search())
        return tools, comments

    def _function(self, name: str) -> None:
        function = self.functions.get(name)
        self.report.carries(f"function {name}", f"the same Function manifest, as `- function: {name}`")
        if function is not None and function.strict:
            self.report.changes(
                f"function {name}",
                "an Agent's function tools have no `strict` flag: the schema is sent without it, so the model's "
                "arguments are no longer guaranteed to match it; check them where the function is implemented. "
                "The Function keeps `strict: true` for the Assistant while that exists.",
            )

    def _file_search(self) -> str:
        search = self.spec.file_search
        if search is None:
            self.report.lacks(
                "file_search",
                "Agents have no file_search tool (and this one searched no VectorStore of the project): "
                "give the agent a search tool of its own, a Function your application answers or an `mcp` tool.",
            )
            return "file_search has no Agent equivalent: see the migration report."
        settings = [f"max_num_results: {search.max_num_results}"] if search.max_num_results is not None else []
        if search.ranking_options is not None:
            options = search.ranking_options.model_dump(exclude_none=True)
            settings.append("ranking_options: {" + ", ".join(f"{k}: {v}" for k, v in options.items()) + "}")
        with_settings = f", with {' and '.join(settings)} as this assistant had" if settings else ""
        store = search.vector_store
        self.report.lacks(
            "file_search",
            f"Agents have no file_search tool and cannot attach a vector store. VectorStore/{store} stays in the "
            "project, unchanged. Recommended: give the agent a tool that searches it, either a Function (for "
            f"example `search_{_identifier(store)}` taking a `query`) that your application answers by calling "
            f"`POST /vector_stores/{{id}}/search` (`client.vector_stores.search`{with_settings}; the store's id "
            "from `assistplan output`), or an `mcp` tool whose server runs that search.",
        )
        return (
            f"file_search over VectorStore/{store} has no Agent equivalent: add a tool that searches it "
            "(see the migration report)."
        )

    def _response_format(self, agent: Document) -> None:
        fmt, report = self.spec.response_format, self.report
        if fmt is None:
            return
        if fmt == "auto" or isinstance(fmt, TextResponseFormat):
            if isinstance(fmt, TextResponseFormat):
                agent.add("text", {"format": "text"})
            report.carries("response_format", "plain text, an Agent's default text.format")
        elif isinstance(fmt, JsonObjectResponseFormat):
            agent.comments.append(
                "response_format json_object has no Agent equivalent: write the expected object's JSON Schema as "
                "text.format (see the migration report)."
            )
            report.lacks(
                "response_format",
                "json_object has no equivalent: an Agent's text.format is `text` or `{type: json_schema, schema}`. "
                "Recommended: write the JSON Schema of the expected object as `text: {format: {type: json_schema, "
                "schema: ...}}`; until then the Agent answers in text, as its instructions ask.",
            )
        elif isinstance(fmt, JsonSchemaResponseFormat):
            options = fmt.json_schema
            keys = ("response_format", "json_schema")
            schema: dict[str, Any] = {"type": "json_schema"}
            if options.schema_file is not None:
                schema["schema_file"] = self.source.path_value(options.schema_file, self.target, *keys, "schema_file")
            else:
                schema["schema"] = self.source.value(options.schema_, *keys, "schema")
            agent.add("text", {"format": schema})
            dropped = [f"name ({options.name})"]
            dropped += ["description"] if options.description else []
            dropped += ["strict: true"] if options.strict else []
            report.changes(
                "response_format",
                "json_schema becomes `text.format: {type: json_schema, schema}` with the same schema; an Agent's "
                f"json_schema format has no name, description or strict flag, so {', '.join(dropped)} "
                "are not carried over"
                + (" and the output is no longer guaranteed to match the schema." if options.strict else "."),
            )

    def _sampling(self, agent: Document) -> None:
        for field in ("temperature", "top_p"):
            value = getattr(self.spec, field)
            if value is None:
                continue
            agent.comments.append(f"Not carried over: {field} {value} (the Agents API has no sampling parameters).")
            self.report.lacks(
                field,
                f"{value} has no equivalent: the Agents API has no temperature or top_p. Its controls are "
                "reasoning.effort and text.verbosity; the value is kept as a comment above the Agent.",
            )

    def _lifecycle(self, agent: Document) -> None:
        lifecycle = self.spec.lifecycle
        if lifecycle.prevent_destroy:
            agent.add("lifecycle", {"prevent_destroy": True})
            self.report.carries("lifecycle.prevent_destroy", "the Agent is protected the same way")
        if lifecycle.ignore_changes:
            self.report.lacks(
                "lifecycle.ignore_changes",
                f"names the Assistant's fields ({', '.join(lifecycle.ignore_changes)}): not carried over; list the "
                "Agent's own fields if it needs the same.",
            )

    def _template(self, name: str, agent_name: str, taken_files: set[str]) -> tuple[Document, list[Document]]:
        """The EnvironmentTemplate, and the File manifests of the files too large to send inline."""
        self.report.created.append(reference("EnvironmentTemplate", name))
        template = Document(
            [
                f"Code execution for Agent/{agent_name}, from the code_interpreter of {self.resource.address}. A "
                f"session or an Automation that runs the agent names this template (environment_template: {name}).",
            ]
        )
        template.add("kind", "EnvironmentTemplate")
        template.add("name", name)
        template.add(
            "network",
            {"access": "disabled"},
            "No network, as set here; add packages.python for the libraries your code imports.",
        )
        files, uploads = self._template_files(taken_files)
        if files:
            template.add("files", files)
        self.report.changes(
            "code_interpreter",
            "Agents have no code_interpreter tool: code runs in a session's environment. "
            f"{reference('EnvironmentTemplate', name)} holds {_count(len(files), 'file')} under {WORKSPACE}/; "
            "a session or an "
            f"Automation joins the agent and the template (an Automation: `agent: {agent_name}`, "
            f"`environment_template: {name}`). The Agent alone runs no code.",
        )
        interpreter = self.spec.code_interpreter
        patterns = (
            []
            if interpreter is None
            else [pattern for pattern in interpreter.files if any(char in pattern for char in "*?[")]
        )
        if patterns:
            self.report.changes(
                "code_interpreter.files",
                f"{', '.join(patterns)} matched {_count(len(self.resource.files), 'file')} today; the template lists "
                "each file, so a file added later must be added to it.",
            )
        for file_id in [] if interpreter is None else interpreter.existing_files:
            self.report.lacks(
                f"code_interpreter.existing_files {file_id}",
                "a file uploaded outside assistplan (purpose assistants) whose content cannot be downloaded, and an "
                "environment takes only files of purpose user_data: upload its content again as a File manifest "
                "with `path:` and `purpose: user_data`, and list it in the template as `{file: NAME, path: ...}`.",
            )
        return template, uploads

    def _template_files(self, taken_files: set[str]) -> tuple[list[dict[str, str]], list[Document]]:
        """The template's files: each local file inline, or, when larger than a template carries inline, as a File
        manifest of purpose user_data (returned too) that the template names."""
        interpreter = self.spec.code_interpreter
        if interpreter is None:
            return [], []
        entries: list[dict[str, str]] = []
        uploads: list[Document] = []
        used: set[str] = set()
        for local in self.resource.files:
            source = relative(local.abspath, self.target)
            destination = self._destination(local, used)
            if local.size <= INLINE_BYTES_MAX:
                entries.append({"source": source, "path": destination})
                continue
            name = unique_name(_file_name(local.path), "file", taken_files)
            upload = Document([f"{local.path}, larger than a template carries inline, uploaded for the template."])
            upload.add("kind", "File")
            upload.add("name", name)
            upload.add("path", source)
            upload.add("purpose", "user_data")
            uploads.append(upload)
            self.report.created.append(reference("File", name))
            entries.append({"file": name, "path": destination})
            self.report.changes(
                f"code_interpreter file {local.path}",
                f"larger than a template carries inline (about 5 MiB): File/{name} uploads it (purpose user_data) "
                "and the template places it.",
            )
        if entries:
            self.report.carries("code_interpreter.files", f"as the template's files ({_count(len(entries), 'file')})")
        return entries, uploads

    def _destination(self, local: LocalFile, used: set[str]) -> str:
        """Where a file lands in the environment: its path under the manifest's folder, below /workspace/."""
        inside = relative(local.abspath, self.source.directory)
        path = f"{WORKSPACE}/{inside}"
        if inside.startswith("../") or workspace_path_problem(path) is not None or path in used:
            name = PurePosixPath(local.path).name
            path = next(
                candidate
                for number in range(1, 10_000)
                if (candidate := f"{WORKSPACE}/files/{number if number > 1 else ''}{name}") not in used
            )
        used.add(path)
        return path


def _file_name(path: str) -> str:
    """A File manifest name made from a file's name (`data/big orders.csv` -> `big-orders.csv`)."""
    cleaned = "".join(char if char.isalnum() or char in "_.-" else "-" for char in PurePosixPath(path).name)
    return cleaned.strip("-._")[:64] or "file"


def _identifier(name: str) -> str:
    return "".join(char if char.isalnum() else "_" for char in name)


def _count(number: int, noun: str) -> str:
    return f"{number or 'no'} {noun}{'' if number == 1 else 's'}"


def _next_steps(project: Project, report: Report) -> list[str]:
    agents = ", ".join(item.created[0] for item in report.migrated)
    steps = [
        f"Review the new manifests, then `assistplan validate` and `assistplan plan`: the plan creates {agents} "
        "(and any template) and deletes nothing, since the Assistant manifests stay.",
        "Move the application from threads and runs to sessions of the new agents; a session (or an Automation) "
        "names the agent and, where code ran, its EnvironmentTemplate.",
        "When nothing uses an Assistant any more, delete its manifest: the next plan deletes it.",
    ]
    served = sorted(
        r.address.name for r in project.of_kind("FlowiseAssistant") if getattr(r.spec, "type", None) == "OPENAI"
    )
    if served:
        steps.append(
            f"Flowise assistants serve these Assistants ({', '.join(served)}): `assistplan migrate "
            "flowise-openai-to-custom` moves them to CUSTOM assistants first."
        )
    return steps
