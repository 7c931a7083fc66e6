"""Models of the OpenAI kinds other than Agent: Function, File, VectorStore and Assistant (Assistants API v2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from assistplan.manifest.fields import (
    FUNCTION_NAME_PATTERN,
    FileTypes,
    KindSpec,
    Metadata,
    Problem,
    Spec,
    check,
    exclusive,
    problem,
    read_instructions,
)
from assistplan.manifest.policy_models import PolicyPaths

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
FilePurpose = Literal["assistants", "user_data", "vision", "batch", "fine-tune", "evals"]
MAX_CODE_INTERPRETER_FILES = 20
MAX_VECTOR_STORE_FILES = 2000
"""Files one vector store may hold per request to the API (a file batch)."""
FILE_SEARCH_EXTENSIONS = frozenset(
    {".c", ".cpp", ".cs", ".css", ".doc", ".docx", ".go", ".html", ".java", ".js", ".json", ".md", ".pdf", ".php"}
    | {".pptx", ".py", ".rb", ".sh", ".tex", ".ts", ".txt"}
)
"""The file types OpenAI's file_search indexes (platform docs, "Supported files")."""
SHORTHAND = "shorthand"
"""The union tag of a plain-string spelling (`chunking: auto`, `response_format: auto`)."""


def shorthand_or_type(value: Any) -> str | None:
    if isinstance(value, str):
        return SHORTHAND
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    return getattr(value, "type", None)


class FunctionSpec(KindSpec):
    """A function tool: its JSON Schema is shared by Assistants, Agents and Flowise tools."""

    kind: Literal["Function"]
    name: Annotated[str, Field(pattern=FUNCTION_NAME_PATTERN)]
    description: Annotated[str, Field(max_length=1024)]
    """What the function does (at most 1024 characters); the model reads it to decide when to call it."""
    tool_name: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """The name the model calls the function by, when it is not the manifest name (two functions of the same name
    with different schemas, exported from different agents)."""
    strict: bool = False
    """Strict mode: the arguments always match the schema, which must follow OpenAI's strict rules."""
    parameters: dict[str, Any] | None = None
    """JSON Schema of the arguments; the root must be {type: object}."""
    parameters_file: str | None = None
    """A JSON or YAML file holding `parameters`, relative to this manifest (rendered when .j2)."""

    @model_validator(mode="after")
    def _one_schema(self) -> FunctionSpec:
        check(exclusive(self, "parameters", "parameters_file", required=True))
        return self

    def definition(self, name: str) -> dict[str, Any]:
        """What a tool that refers to this Function (manifest name `name`, resolved) embeds: `{name, description,
        parameters, strict}`, `name` being the tool's name (the manifest name unless `tool_name` says otherwise)."""
        return {
            "name": self.tool_name or name,
            "description": self.description or "",
            "parameters": self.parameters or {"type": "object", "properties": {}},
            "strict": bool(self.strict),
        }

    def resolve(self, resolution: Resolution) -> None:
        """`parameters_file` is read into `parameters`; the schema is checked (an object root; strict rules when
        `strict`)."""
        schema = resolution.schema(
            self.parameters,
            ("parameters_file",),
            self.parameters_file,
            ("parameters",),
            strict=self.strict,
            object_root=True,
        )
        if schema is not None:
            resolution.update("parameters", schema)


class FileSpec(KindSpec):
    """A file uploaded to OpenAI: a local file, identified by its content, or a file uploaded outside assistplan,
    identified by its id."""

    kind: Literal["File"]
    path: Annotated[str, Field(min_length=1)] | None = None
    """The file, relative to this manifest."""
    existing: Annotated[str, Field(min_length=1)] | None = None
    """The id of a file uploaded outside assistplan, referred to as it is: its content cannot be downloaded, so it is
    never uploaded again, and it stays on the server when this manifest is removed. Written by `export`."""
    purpose: FilePurpose = "assistants"
    """The upload purpose."""

    @model_validator(mode="after")
    def _one_origin(self) -> FileSpec:
        if (self.path is None) == (self.existing is None):
            raise problem('give exactly one of "path" (a local file) or "existing" (the id of an uploaded file)')
        return self

    def resolve(self, resolution: Resolution) -> None:
        """The local file of `path` becomes the resource's file (a File given by id has none)."""
        if self.path is None:
            return
        if any(char in self.path for char in "*?["):
            resolution.error(("path",), "a File names one file, not a pattern")
            return
        resolution.files([self.path], ("path",), 1)


class StaticChunking(Spec):
    max_chunk_size_tokens: Annotated[int, Field(ge=100, le=4096)]
    chunk_overlap_tokens: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _overlap(self) -> StaticChunking:
        if self.chunk_overlap_tokens > self.max_chunk_size_tokens // 2:
            raise problem(
                f"must be at most half of max_chunk_size_tokens ({self.max_chunk_size_tokens // 2}), "
                f"got {self.chunk_overlap_tokens}",
                ("chunk_overlap_tokens",),
            )
        return self


def _chunking_tag(value: Any) -> str:
    return SHORTHAND if isinstance(value, str) else "static"


Chunking = Annotated[
    Annotated[Literal["auto"], Tag(SHORTHAND)] | Annotated[StaticChunking, Tag("static")],
    Discriminator(_chunking_tag),
]


class VectorStoreSpec(KindSpec):
    """A vector store and the local files attached to it."""

    kind: Literal["VectorStore"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """The store's name on the server, when it is not the manifest name (kept by `export`)."""
    description: str | None = None
    """Sent on create only: the API cannot change or return it."""
    files: Annotated[list[str], Field(min_length=1)] = Field(default_factory=list)
    """Paths or globs relative to this manifest (`**` for any depth); at least one file, unless `existing_files`
    says which files the store holds."""
    existing_files: list[Annotated[str, Field(min_length=1)]] | None = None
    """Ids of files already uploaded (outside assistplan) that stay attached as they are: their content cannot be
    downloaded, so they are never uploaded again. Written by `export`."""
    chunking: Chunking = "auto"
    """"auto", or static chunking with max_chunk_size_tokens and chunk_overlap_tokens."""
    expires_after_days: Annotated[int, Field(ge=1, le=365)] | None = None
    """Delete the store this many days after it was last active."""
    metadata: Metadata = Field(default_factory=dict)
    """String pairs: at most 13 (assistplan uses 3 of the API's 16); keys <= 64, values <= 512 chars."""

    @model_validator(mode="after")
    def _some_files(self) -> VectorStoreSpec:
        if not self.files and self.existing_files is None:
            raise problem('needs "files" (at least 1 item) or "existing_files"')
        return self

    def resolve(self, resolution: Resolution) -> None:
        """The files matched by `files` become the store's local files (types file_search indexes only)."""
        resolution.files(
            self.files,
            ("files",),
            MAX_VECTOR_STORE_FILES,
            FileTypes(FILE_SEARCH_EXTENSIONS, "file_search cannot index this type of file"),
        )


class FunctionRef(Spec):
    """`- function: NAME`: a Function manifest used as a tool."""

    function: Annotated[str, Field(min_length=1)]


def _assistant_tool_tag(value: Any) -> str:
    return "builtin" if isinstance(value, str) else "function"


AssistantTool = Annotated[
    Annotated[Literal["code_interpreter", "file_search"], Tag("builtin")] | Annotated[FunctionRef, Tag("function")],
    Discriminator(_assistant_tool_tag),
]


class RankingOptions(Spec):
    ranker: Literal["auto", "default_2024_08_21"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)] | None = None


class FileSearch(Spec):
    vector_store: Annotated[str, Field(min_length=1)]
    """The VectorStore manifest to search (an Assistant can use one)."""
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    """1 to 50."""
    ranking_options: RankingOptions | None = None

    @field_validator("vector_store", mode="before")
    @classmethod
    def _one_store(cls, value: Any) -> Any:
        if isinstance(value, list):
            raise problem(
                f"an Assistant can use at most one vector store (an API limit), got a list of {len(value)}: "
                "write one name"
            )
        return value


class CodeInterpreter(Spec):
    files: list[str] = Field(default_factory=list)
    """Paths or globs relative to this manifest: at most 20 files."""
    existing_files: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """Ids of files already uploaded (outside assistplan), used as they are and never uploaded again: their
    content cannot be downloaded. Written by `export`."""


class TextResponseFormat(Spec):
    type: Literal["text"]


class JsonObjectResponseFormat(Spec):
    type: Literal["json_object"]


class JsonSchemaOptions(Spec):
    name: Annotated[str, Field(pattern=FUNCTION_NAME_PATTERN)]
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    schema_file: str | None = None
    strict: bool | None = None

    @model_validator(mode="after")
    def _one_schema(self) -> JsonSchemaOptions:
        check(exclusive(self, "schema_", "schema_file", required=True, label="schema"))
        return self


class JsonSchemaResponseFormat(Spec):
    type: Literal["json_schema"]
    json_schema: JsonSchemaOptions


ResponseFormat = Annotated[
    Annotated[Literal["auto"], Tag(SHORTHAND)]
    | Annotated[TextResponseFormat, Tag("text")]
    | Annotated[JsonObjectResponseFormat, Tag("json_object")]
    | Annotated[JsonSchemaResponseFormat, Tag("json_schema")],
    Discriminator(shorthand_or_type),
]


class AssistantSpec(KindSpec):
    """An OpenAI assistant (Assistants API v2, served by compatible servers)."""

    policy_paths: ClassVar[PolicyPaths] = PolicyPaths(
        models=("model",), tools=("tools[]",), temperature=("temperature",), top_p=("top_p",)
    )

    kind: Literal["Assistant"]
    display_name: Annotated[str, Field(max_length=256)] | None = None
    """The assistant's name on the server, when it is not the manifest name (kept by `export`)."""
    model: Annotated[str, Field(min_length=1)]
    """The model id, for example gpt-4o."""
    description: Annotated[str, Field(max_length=512)] | None = None
    """At most 512 characters."""
    instructions: Annotated[str, Field(max_length=256_000)] | None = None
    """The system instructions, at most 256,000 characters."""
    instructions_file: str | None = None
    """A file holding the instructions, relative to this manifest (rendered when .j2)."""
    tools: Annotated[list[AssistantTool], Field(max_length=128)] = Field(default_factory=list)
    """At most 128: "code_interpreter", "file_search" and {function: NAME}."""
    file_search: FileSearch | None = None
    """Settings of the file_search tool."""
    code_interpreter: CodeInterpreter | None = None
    """Files for the code_interpreter tool."""
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    """0 to 2."""
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    """0 to 1."""
    response_format: ResponseFormat | None = None
    """"auto", {type: text}, {type: json_object} or {type: json_schema, json_schema: {...}}."""
    reasoning_effort: ReasoningEffort | None = None
    metadata: Metadata = Field(default_factory=dict)
    """String pairs: at most 13 (assistplan uses 3 of the API's 16); keys <= 64, values <= 512 chars."""

    @model_validator(mode="after")
    def _consistent(self) -> AssistantSpec:
        problems: list[Problem] = exclusive(self, "instructions", "instructions_file", required=False)
        problems += duplicate_tools(self.tools)
        for builtin in ("file_search", "code_interpreter"):
            if getattr(self, builtin) is not None and builtin not in self.tools:
                problems.append((f'configured, but "{builtin}" is not in "tools"', (builtin,)))
        check(problems)
        return self

    def resolve(self, resolution: Resolution) -> None:
        """Reads `instructions_file` and a `schema_file` of the response format; function tools name Functions, and
        file_search a VectorStore; code_interpreter's files become the assistant's local files."""
        read_instructions(resolution, self.instructions_file, 256_000)
        for index, tool in enumerate(self.tools):
            if isinstance(tool, FunctionRef):
                resolution.reference("Function", tool.function, ("tools", index, "function"))
        if self.file_search is not None:
            resolution.reference("VectorStore", self.file_search.vector_store, ("file_search", "vector_store"))
        if self.code_interpreter is not None:
            path = ("code_interpreter", "files")
            resolution.files(self.code_interpreter.files, path, MAX_CODE_INTERPRETER_FILES)
        response_format = self.response_format
        if isinstance(response_format, JsonSchemaResponseFormat):
            options = response_format.json_schema
            base = ("response_format", "json_schema")
            strict = bool(options.strict)
            schema = resolution.schema(
                options.schema_,
                (*base, "schema_file"),
                options.schema_file,
                (*base, "schema"),
                strict=strict,
                object_root=strict,
            )
            if schema is not None:
                new_options = options.model_copy(update={"schema_": schema})
                resolution.update("response_format", response_format.model_copy(update={"json_schema": new_options}))


def duplicate_tools(tools: list[Any]) -> list[Problem]:
    """A problem for every tool listed twice (the same builtin, or the same function)."""
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, tool in enumerate(tools):
        key = tool if isinstance(tool, str) else f"function: {tool.function}" if hasattr(tool, "function") else None
        if key is None:
            continue
        if key in seen:
            problems.append((f'"{key}" is listed twice', ("tools", index)))
        seen.add(key)
    return problems
