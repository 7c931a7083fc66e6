"""`migrate flowise-openai-to-custom`: for each OPENAI FlowiseAssistant (which serves an Assistant manifest through
Flowise's deprecated OpenAI Assistant node), the CUSTOM FlowiseAssistant with the same credential, an OpenAI chat
model with the Assistant's model and temperature, its instructions, and its function tools as FlowiseTools of the
same Functions; with the report of what carries over and what a CUSTOM assistant's manifest cannot hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistplan.addrs import Address, reference
from assistplan.manifest.flowise_chatflow_models import FlowiseChatflowSpec
from assistplan.manifest.flowise_models import FlowiseAssistantSpec, FlowiseToolSpec
from assistplan.manifest.flowise_schema import row_problems
from assistplan.manifest.models import AssistantSpec, FunctionRef, FunctionSpec
from assistplan.manifest.project import Project, Resource
from assistplan.migrate.documents import Document, Output, Source, relative, source_of, unique_name
from assistplan.migrate.report import Migrated, Report

COMMAND = "assistplan migrate flowise-openai-to-custom"
CHAT_MODEL = "chatOpenAI"
"""Flowise's OpenAI chat-model component: it takes the same openAIApi credential as the OpenAI Assistant node."""
TOOLS_FOLDER = "tools"


def migrate_flowise(project: Project, *, out: Path | None, in_place: bool) -> tuple[Output, Report]:
    """The CUSTOM FlowiseAssistant (and new FlowiseTool) manifests for every OPENAI one of `project`, and the
    report. With `in_place`, an OPENAI assistant is replaced by its CUSTOM one in its own document, unless an OpenAI
    Assistant node of a chatflow still selects it (that node cannot serve a CUSTOM assistant): the CUSTOM one is then
    written after it."""
    report = Report("Migration of Flowise OPENAI assistants to CUSTOM assistants")
    output = Output()
    taken = {kind: {r.address.name for r in project.of_kind(kind)} for kind in ("FlowiseAssistant", "FlowiseTool")}
    tools = _Tools(project, taken["FlowiseTool"])
    selecting = _selecting_nodes(project)
    plan = _Plan()
    for resource in project.of_kind("FlowiseAssistant"):
        spec = resource.spec
        if not isinstance(spec, FlowiseAssistantSpec) or spec.type != "OPENAI" or spec.assistant is None:
            continue
        served = project.resources[Address("Assistant", spec.assistant)]
        source = source_of(resource, project.root)
        target = source.directory if in_place or out is None else out.resolve()
        nodes = selecting.get(resource.address.name, [])
        replace = in_place and not nodes
        if replace:
            taken["FlowiseAssistant"].discard(resource.address.name)
        name = unique_name(resource.address.name, "custom", taken["FlowiseAssistant"])
        path = source.path if in_place else target / f"{resource.address.name}.custom.yaml"
        migrated = Migrated(
            str(resource.address), source.display, [reference("FlowiseAssistant", name)], relative(path, project.root)
        )
        served_source = source_of(served, project.root)
        moved_from = source.value(spec.moved_from, "moved_from") if replace and spec.moved_from else None
        assistant = _custom(
            resource, spec, (served, served_source), source, target, name, migrated, tools, moved_from=moved_from
        )
        documents = [assistant, *tools.documents(target, migrated, output)]
        if replace:
            output.replace(source, documents)
        elif in_place:
            output.add_after(source, documents)
        else:
            output.add_file(path, documents, source.modeline_for(target))
        _selected_by(nodes, resource.address, name, in_place, migrated)
        plan.note(migrated, replace, selected=bool(nodes))
        report.migrated.append(migrated)
    if report.migrated:
        report.next_steps = plan.next_steps()
    return output, report


def _selecting_nodes(project: Project) -> dict[str, list[tuple[str, str]]]:
    """FlowiseAssistant name -> the (chatflow address, node id) of each OpenAI Assistant node that selects it."""
    found: dict[str, list[tuple[str, str]]] = {}
    for resource in project.of_kind("FlowiseChatflow"):
        spec = resource.spec
        if not isinstance(spec, FlowiseChatflowSpec):
            continue
        for node_id, node in spec.nodes.items():
            selected = node.inputs.get("selectedAssistant")
            if isinstance(selected, str):
                found.setdefault(selected, []).append((str(resource.address), node_id))
    return found


def _selected_by(nodes: list[tuple[str, str]], address: Address, name: str, in_place: bool, report: Migrated) -> None:
    """Report each chatflow node that selects the OPENAI assistant: the OpenAI Assistant node cannot serve the
    CUSTOM one, so the node stays on the OPENAI assistant until the chatflow is rebuilt without it."""
    kept = f"--in-place keeps {address} for it and writes {reference('FlowiseAssistant', name)} after it"
    for chatflow, node_id in nodes:
        report.lacks(
            f"{chatflow} node {node_id}",
            f"this OpenAI Assistant node selects {address}, and it cannot serve a CUSTOM assistant (every "
            f"prediction would fail): {kept if in_place else 'it stays on the OPENAI assistant'}. Rebuild the "
            "chatflow without that node, as a CUSTOM assistant is built (a toolAgent node with a chatOpenAI model, "
            "a bufferMemory and the same customTool nodes, like support-bot-custom in the Flowise example), or chat "
            "with the CUSTOM assistant through the chatflow the Flowise editor saves for it.",
        )


class _Plan:
    """What the next plan does with the migrated manifests, for the report's next steps."""

    def __init__(self) -> None:
        self.added: list[str] = []
        """CUSTOM assistants written beside their OPENAI ones."""
        self.replaced: list[str] = []
        """CUSTOM assistants that replace their OPENAI ones in place."""
        self.tools: list[str] = []
        """New FlowiseTools."""
        self.selected = False
        """Whether a chatflow node still selects an OPENAI assistant."""

    def note(self, migrated: Migrated, replace: bool, *, selected: bool) -> None:
        assistant, *tools = migrated.created
        (self.replaced if replace else self.added).append(assistant)
        self.tools += tools
        self.selected = self.selected or selected

    def next_steps(self) -> list[str]:
        actions = []
        created = [*self.added, *self.tools]
        if created:
            kept = "" if self.replaced else " and deletes nothing, since the OPENAI manifests stay"
            actions.append(f"creates {', '.join(created)}{kept}")
        if self.replaced:
            actions.append(
                f"replaces {', '.join(self.replaced)}: a Flowise assistant's type cannot change, so each is created "
                "anew as a CUSTOM assistant, with a new Flowise id, and its OPENAI one deleted (1 to add and 1 to "
                "destroy per assistant; the OpenAI assistants they served stay with their Assistant manifests)"
            )
        steps = [
            "Review the new manifests (and write the JavaScript of any new FlowiseTool), then `assistplan validate` "
            f"and `assistplan plan`: the plan {'; it '.join(actions)}."
        ]
        if self.added:
            named = " (the report names each chatflow node that selects one)" if self.selected else ""
            steps.append(
                f"Point the chats that use the OPENAI assistants at the CUSTOM ones{named}, then delete the OPENAI "
                "FlowiseAssistant manifests (the next plan deletes them)."
            )
        steps.append(
            "Delete the Assistant manifests the OPENAI assistants served once nothing else uses them (the next plan "
            "deletes their OpenAI assistants)."
        )
        return steps


def _custom(
    resource: Resource,
    spec: FlowiseAssistantSpec,
    served_at: tuple[Resource, Source],
    source: Source,
    target: Path,
    name: str,
    report: Migrated,
    tools: _Tools,
    *,
    moved_from: Any = None,
) -> Document:
    served, served_source = served_at
    assistant = served.spec
    if not isinstance(assistant, AssistantSpec):
        raise TypeError(f"{served.address} is not an Assistant")
    document = Document(
        [f"Migrated from {resource.address} ({source.display}), which serves {served.address}, by `{COMMAND}`."]
    )
    if assistant.description:
        document.comments.append(f"Description (a CUSTOM assistant has none here): {assistant.description}")
        report.lacks("description", "a CUSTOM assistant's manifest has no description: kept as a comment.")
    document.add("kind", "FlowiseAssistant")
    document.add("name", name)
    if moved_from is not None:
        document.add("moved_from", moved_from)
        report.carries("moved_from", "the same, so the object recorded under an older address is the one replaced")
    document.add("type", "CUSTOM")
    document.add("credential", source.value(spec.credential, "credential"))
    report.carries("name", f'the CUSTOM assistant is named "{name}"' + _renamed(resource, name))
    report.carries("credential", f"the same FlowiseCredential ({spec.credential}), used by the chat model")
    if assistant.instructions_file is not None:
        value = served_source.path_value(assistant.instructions_file, target, "instructions_file")
        document.add("instructions_file", value)
        report.carries("instructions", f"{served.address}'s file ({value})")
    elif assistant.instructions is not None:
        document.add("instructions", served_source.value(assistant.instructions, "instructions"))
        report.carries("instructions", f"{served.address}'s text")
    model: dict[str, Any] = {"name": CHAT_MODEL, "model": served_source.value(assistant.model, "model")}
    report.carries("model", f"chat_model {CHAT_MODEL} with the same model id ({assistant.model})")
    if assistant.temperature is not None:
        model["temperature"] = served_source.value(assistant.temperature, "temperature")
        report.carries("temperature", f"the chat model's temperature ({assistant.temperature})")
    document.add("chat_model", model)
    names = tools.names(assistant, report)
    if names:
        document.add("tools", names)
    _not_carried(assistant, served.address, report, document)
    return document


def _renamed(resource: Resource, name: str) -> str:
    if name == resource.address.name:
        return " (the OPENAI assistant's name: its document is replaced)"
    return " (the OPENAI assistant keeps its name until its manifest is deleted)"


def _not_carried(assistant: AssistantSpec, address: Address, report: Migrated, document: Document) -> None:
    managed = "the fields assistplan manages for a CUSTOM assistant (chat model, instructions, tools)"
    if assistant.top_p is not None:
        document.comments.append(f"Not carried over: top_p {assistant.top_p} (chat_model has no top_p).")
        report.lacks("top_p", f"{assistant.top_p}: a chat_model has a temperature but no top_p; kept as a comment.")
    if "file_search" in assistant.tools:
        report.lacks(
            "file_search",
            f"no equivalent among {managed}. Flowise's own route is a document store attached to the CUSTOM "
            "assistant in Flowise's editor, which assistplan does not manage (an update of the assistant writes "
            f"its details without it). Or keep {address} for file search, or move it to an Agent "
            "(`assistplan migrate assistants-to-agents`, whose report gives the route there).",
        )
    if "code_interpreter" in assistant.tools:
        report.lacks(
            "code_interpreter",
            f"no equivalent among {managed}. Keep the OPENAI assistant for code execution, or move {address} to an "
            "Agent with an EnvironmentTemplate (`assistplan migrate assistants-to-agents`).",
        )
    if assistant.response_format not in (None, "auto"):
        report.lacks("response_format", f"no equivalent among {managed}: the chat model answers in text.")
    if assistant.reasoning_effort is not None:
        report.lacks("reasoning_effort", f"no equivalent among {managed}.")
    if any(note.subject in ("file_search", "code_interpreter") for note in report.missing):
        document.comments.append("Not carried over: the built-in tools of the Assistant (see the migration report).")


class _Tools:
    """FlowiseTools for the Assistants' function tools: the project's own where one wraps the Function, else a new
    one (with a code file to write)."""

    def __init__(self, project: Project, taken: set[str]) -> None:
        self.taken = taken
        self.functions = {
            r.address.name: r.spec for r in project.of_kind("Function") if isinstance(r.spec, FunctionSpec)
        }
        self.existing: dict[str, str] = {}
        for resource in project.of_kind("FlowiseTool"):
            if isinstance(resource.spec, FlowiseToolSpec):
                self.existing.setdefault(resource.spec.function, resource.address.name)
        self.new: dict[str, str] = {}
        """Function -> the new FlowiseTool written for it (one per Function, shared by every assistant)."""
        self.pending: list[tuple[str, str]] = []

    def names(self, assistant: AssistantSpec, report: Migrated) -> list[str]:
        names: list[str] = []
        for tool in assistant.tools:
            if not isinstance(tool, FunctionRef):
                continue
            function = tool.function
            strict = bool(self.functions[function].strict) if function in self.functions else False
            if strict:
                report.changes(
                    f"function {function}",
                    "a Flowise tool's schema rows have no strict flag: the arguments are no longer guaranteed to "
                    "match the Function's schema.",
                )
            if function in self.existing:
                names.append(self.existing[function])
                wrapper = reference("FlowiseTool", self.existing[function])
                report.carries(f"function {function}", f"{wrapper}, which wraps it")
                continue
            problems = row_problems(self.functions[function].parameters if function in self.functions else {})
            if problems:
                message, path = problems[0]
                where = ".".join(str(part) for part in ("parameters", *path))
                report.lacks(
                    f"function {function}",
                    f"cannot be a Flowise tool ({where}: {message}): simplify the Function's schema or give the "
                    "CUSTOM assistant a tool of its own.",
                )
                continue
            if function not in self.new:
                self.new[function] = unique_name(function, "tool", self.taken)
                self.pending.append((function, self.new[function]))
            names.append(self.new[function])
            report.carries(
                f"function {function}",
                f"new FlowiseTool/{self.new[function]} of the same Function; its JavaScript is still to be written "
                "(the OpenAI assistant's function had no FlowiseTool in this project).",
            )
        return names

    def documents(self, target: Path, report: Migrated, output: Output) -> list[Document]:
        """The new FlowiseTools first named by the assistant just migrated, and their code files."""
        documents = []
        for function, name in self.pending:
            code_file = f"{TOOLS_FOLDER}/{name}.js"
            document = Document([f"The function tool {function} as a Flowise tool, for the CUSTOM assistant."])
            document.add("kind", "FlowiseTool")
            document.add("name", name)
            document.add("function", function)
            document.add("code_file", code_file, f"Needs attention: write the tool's JavaScript in {code_file}.")
            documents.append(document)
            report.created.append(reference("FlowiseTool", name))
            output.new_files[target / code_file] = _code(function, self.functions.get(function))
        self.pending = []
        return documents


def _code(function: str, spec: FunctionSpec | None) -> str:
    arguments = sorted(((spec.parameters if spec is not None else None) or {}).get("properties") or {})
    listed = ", ".join(f"${argument}" for argument in arguments) or "none"
    return (
        f"// The code Flowise runs for the tool {function}. Its arguments: {listed}.\n"
        "// Write it here: the OpenAI assistant's function had no Flowise tool in the project.\n"
        f'throw new Error("{function}: the tool\'s code is not written yet");\n'
    )
