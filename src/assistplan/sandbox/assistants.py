"""`/assistants` (Assistants API v2): create, retrieve, update (partial; lists replaced wholesale), list, delete.

Responses carry the defaults the real API filled in: file_search tools get `max_num_results` (20, or 5 for
gpt-3.5 models) and `ranking_options {ranker: auto, score_threshold: 0}`, function tools get `strict: false`,
temperature and top_p read back as 1.0, response_format as "auto", metadata and tool_resources as `{}`.
`tool_resources` on update replaces the resources of each tool it names and keeps the others.
"""

from __future__ import annotations

import re
from typing import Any

from assistplan.sandbox import indexing
from assistplan.sandbox.errors import SandboxError, invalid, invalid_type, invalid_value, not_found
from assistplan.sandbox.routing import ASSISTANTS_BETA, Call, delete, deleted, get, list_query, paginate, post
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import (
    MISSING,
    array,
    boolean,
    choice,
    field,
    join,
    metadata,
    number,
    obj,
    only,
    string,
    string_list,
)
from assistplan.sandbox.vector_stores import new_store, require_file

KIND = "assistant"
FIELDS = (
    "model",
    "name",
    "description",
    "instructions",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "response_format",
    "reasoning_effort",
)
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
TOOL_TYPES = ("code_interpreter", "file_search", "function")
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _name(value: Any, param: str) -> str:
    if not isinstance(value, str):
        raise invalid_type(param, "a string", value)
    if not NAME_PATTERN.match(value):
        raise invalid(param, f"'{value}' does not match '^[a-zA-Z0-9_-]{{1,64}}$'.", "invalid_value")
    return value


def _file_search(tool: dict[str, Any], param: str, model: str) -> dict[str, Any]:
    settings = tool.get("file_search")
    settings = {} if settings is None else obj(settings, f"{param}.file_search")
    prefix = f"{param}.file_search"
    only(settings, ("max_num_results", "ranking_options"), prefix)
    default_results = 5 if model.startswith("gpt-3.5") else 20
    results = number(settings, "max_num_results", prefix, integer=True, minimum=1, maximum=50)
    ranking: dict[str, Any] = {"ranker": "auto", "score_threshold": 0.0}
    if settings.get("ranking_options") is not None:
        options_param = f"{prefix}.ranking_options"
        options = obj(settings["ranking_options"], options_param)
        only(options, ("ranker", "score_threshold"), options_param)
        threshold = number(options, "score_threshold", options_param, minimum=0, maximum=1, required=True)
        ranking["score_threshold"] = float(threshold or 0)
        ranking["ranker"] = choice(options, "ranker", ("auto", "default_2024_08_21"), options_param) or "auto"
    return {
        "type": "file_search",
        "file_search": {"max_num_results": results or default_results, "ranking_options": ranking},
    }


def _function(tool: dict[str, Any], param: str) -> dict[str, Any]:
    function = obj(field(tool, "function", param, required=True), f"{param}.function")
    prefix = f"{param}.function"
    only(function, ("name", "description", "parameters", "strict"), prefix)
    resolved: dict[str, Any] = {"name": _name(field(function, "name", prefix, required=True), f"{prefix}.name")}
    description = string(function, "description", prefix, nullable=False)
    if description is not MISSING:
        resolved["description"] = description
    if "parameters" in function:
        resolved["parameters"] = obj(function["parameters"], f"{prefix}.parameters")
    resolved["strict"] = bool(boolean(function, "strict", prefix, nullable=True))
    return {"type": "function", "function": resolved}


def tools(value: Any, model: str) -> list[dict[str, Any]]:
    items = array({"tools": value}, "tools", max_items=128)
    resolved = []
    for index, item in enumerate(items):
        param = f"tools[{index}]"
        tool = obj(item, param)
        kind = field(tool, "type", param, required=True)
        if kind not in TOOL_TYPES:
            raise invalid_value(f"{param}.type", kind, TOOL_TYPES)
        only(tool, ("type", kind), param)
        if kind == "code_interpreter":
            resolved.append({"type": "code_interpreter"})
        elif kind == "file_search":
            resolved.append(_file_search(tool, param, model))
        else:
            resolved.append(_function(tool, param))
    return resolved


def _vector_store_ids(call: Call, section: dict[str, Any], prefix: str) -> list[str]:
    ids = string_list(section, "vector_store_ids", prefix, max_items=1) or []
    helpers = array(section, "vector_stores", prefix, max_items=1) or []
    if ids and helpers:
        raise SandboxError(
            400, "Only one of 'vector_store_ids' or 'vector_stores' may be provided.", param=f"{prefix}.vector_stores"
        )
    for index, store_id in enumerate(ids):
        if call.store.get("vector_store", store_id) is None:
            raise not_found("vector store", store_id, param=f"{prefix}.vector_store_ids[{index}]")
    for index, helper in enumerate(helpers):
        param = f"{prefix}.vector_stores[{index}]"
        spec = obj(helper, param)
        only(spec, ("file_ids", "chunking_strategy", "metadata"), param)
        file_ids = string_list(spec, "file_ids", param, max_items=10_000) or []
        store = new_store(
            call,
            name="",
            files=[require_file(call, file_id, f"{param}.file_ids[{i}]") for i, file_id in enumerate(file_ids)],
            chunking=indexing.chunking_strategy(field(spec, "chunking_strategy"), f"{param}.chunking_strategy"),
            metadata=metadata(spec.get("metadata"), f"{param}.metadata"),
        )
        ids = [store["id"]]
    return list(ids)


def tool_resources(call: Call, value: Any, *, creating: bool) -> dict[str, Any]:
    if value is None:
        return {}
    resources = obj(value, "tool_resources")
    only(resources, ("code_interpreter", "file_search"), "tool_resources")
    resolved: dict[str, Any] = {}
    if resources.get("code_interpreter") is not None:
        prefix = "tool_resources.code_interpreter"
        section = obj(resources["code_interpreter"], prefix)
        only(section, ("file_ids",), prefix)
        file_ids = string_list(section, "file_ids", prefix, max_items=20) or []
        for index, file_id in enumerate(file_ids):
            require_file(call, file_id, f"{prefix}.file_ids[{index}]")
        resolved["code_interpreter"] = {"file_ids": list(file_ids)}
    if resources.get("file_search") is not None:
        prefix = "tool_resources.file_search"
        section = obj(resources["file_search"], prefix)
        only(section, ("vector_store_ids", "vector_stores") if creating else ("vector_store_ids",), prefix)
        resolved["file_search"] = {"vector_store_ids": _vector_store_ids(call, section, prefix)}
    return resolved


def response_format(value: Any) -> Any:
    if value is None or value == "auto":
        return "auto"
    if isinstance(value, str):
        raise invalid_value("response_format", value, ("auto",))
    spec = obj(value, "response_format")
    kind = field(spec, "type", "response_format", required=True)
    if kind in ("text", "json_object"):
        only(spec, ("type",), "response_format")
        return {"type": kind}
    if kind != "json_schema":
        raise invalid_value("response_format.type", kind, ("text", "json_object", "json_schema"))
    only(spec, ("type", "json_schema"), "response_format")
    prefix = "response_format.json_schema"
    schema = obj(field(spec, "json_schema", "response_format", required=True), prefix)
    only(schema, ("name", "description", "schema", "strict"), prefix)
    _name(field(schema, "name", prefix, required=True), join(prefix, "name"))
    string(schema, "description", prefix, nullable=False)
    if "schema" in schema:
        obj(schema["schema"], join(prefix, "schema"))
    boolean(schema, "strict", prefix, nullable=True)
    return {"type": "json_schema", "json_schema": dict(schema)}


def _model(body: dict[str, Any], required: bool) -> Any:
    model = string(body, "model", required=required, nullable=False)
    if model == "":
        raise invalid("model", "string too short. Expected a string with minimum length 1.", "string_below_min_length")
    return model


def _apply(call: Call, assistant: dict[str, Any], body: dict[str, Any], *, creating: bool) -> None:
    """Validate the fields present in `body` and write them into `assistant`."""
    for key, limit in (("name", 256), ("description", 512), ("instructions", 256_000)):
        value = string(body, key, max_length=limit)
        if value is not MISSING:
            assistant[key] = value
    if "tools" in body:
        assistant["tools"] = tools(body["tools"], assistant["model"])
    if "tool_resources" in body:
        resources = tool_resources(call, body["tool_resources"], creating=creating)
        assistant["tool_resources"] = (
            resources
            if creating or body["tool_resources"] is None
            else {
                **assistant["tool_resources"],
                **resources,
            }
        )
    if "metadata" in body:
        assistant["metadata"] = metadata(body["metadata"])
    for key, maximum in (("temperature", 2), ("top_p", 1)):
        value = number(body, key, minimum=0, maximum=maximum)
        if value is not MISSING:
            assistant[key] = 1.0 if value is None else float(value)
    if "response_format" in body:
        assistant["response_format"] = response_format(body["response_format"])
    effort = choice(body, "reasoning_effort", REASONING_EFFORTS)
    if effort is not MISSING:
        assistant["reasoning_effort"] = effort


def require(call: Call) -> dict[str, Any]:
    assistant = call.store.get(KIND, call.params["assistant_id"])
    if assistant is None:
        raise not_found("assistant", call.params["assistant_id"])
    return assistant


def create(call: Call) -> dict[str, Any]:
    only(call.body, FIELDS)
    assistant: dict[str, Any] = {
        "id": new_id("asst_"),
        "object": "assistant",
        "created_at": call.timestamp,
        "name": None,
        "description": None,
        "model": _model(call.body, required=True),
        "instructions": None,
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "top_p": 1.0,
        "temperature": 1.0,
        "reasoning_effort": None,
        "response_format": "auto",
    }
    with call.store.transaction():
        _apply(call, assistant, call.body, creating=True)
        call.store.put(KIND, assistant)
    return assistant


def retrieve(call: Call) -> dict[str, Any]:
    return require(call)


def update(call: Call) -> dict[str, Any]:
    assistant = require(call)
    only(call.body, FIELDS)
    model = _model(call.body, required=False)
    if model is not MISSING:
        assistant["model"] = model
    _apply(call, assistant, call.body, creating=False)
    call.store.put(KIND, assistant)
    return assistant


def list_assistants(call: Call) -> dict[str, Any]:
    return paginate(call, KIND, list_query(call))


def remove(call: Call) -> dict[str, Any]:
    assistant_id = require(call)["id"]
    call.store.delete(KIND, assistant_id)
    return deleted(assistant_id, "assistant.deleted")


ROUTES = [
    post("/assistants", create, ASSISTANTS_BETA),
    get("/assistants", list_assistants, ASSISTANTS_BETA),
    get("/assistants/{assistant_id}", retrieve, ASSISTANTS_BETA),
    post("/assistants/{assistant_id}", update, ASSISTANTS_BETA),
    delete("/assistants/{assistant_id}", remove, ASSISTANTS_BETA),
]
