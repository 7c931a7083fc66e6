"""Broken manifests, one behaviour each: the exact message and the line and column it points at.

Each case writes its files into a fresh manifest root (with `assistplan.yaml` = `project: test` unless the case
gives one) and expects every reported error as `file:line:col: message`, in report order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest


def case(name: str, files: Mapping[str, str], *expected: str) -> object:
    return pytest.param(files, list(expected), id=name)


LONG = "x" * 1025
FOURTEEN = "\n".join(f"  k{i}: v" for i in range(14))
TOOLS129 = "\n".join("  - code_interpreter" for _ in range(129))
CASES = [
    case(
        "unknown-kind-suggests-closest",
        {
            "m.yaml": """
kind: Asistant
name: support
"""
        },
        'm.yaml:1:7: unknown kind "Asistant" (did you mean "Assistant"?)',
    ),
    case(
        "a-kind-in-lower-case-is-unknown-and-suggests-the-kind",
        {
            "m.yaml": """
kind: agent
name: support
"""
        },
        'm.yaml:1:7: unknown kind "agent" (did you mean "Agent"?)',
    ),
    case(
        "a-module-of-the-kinds-package-that-is-no-kind-is-an-unknown-kind",
        {
            "m.yaml": """
kind: FlowiseExport
name: support
"""
        },
        'm.yaml:1:7: unknown kind "FlowiseExport" (did you mean "FlowiseTool"?)',
    ),
    case(
        "a-move-from-an-address-of-another-kind",
        {
            "m.yaml": """
kind: Function
name: lookup
description: Look up.
parameters: {type: object}
moved_from: Agent/lookup
"""
        },
        "m.yaml:5:1: moved_from: must be an address of kind Function (a move keeps the kind), not Agent/lookup",
    ),
    case(
        "missing-kind",
        {
            "m.yaml": """
name: support
model: gpt-4o
"""
        },
        'm.yaml:1:1: missing required field "kind"',
    ),
    case(
        "document-must-be-a-mapping",
        {
            "m.yaml": """
- kind: Assistant
  name: support
"""
        },
        'm.yaml:1:1: a manifest document must be a mapping with "kind" and "name"',
    ),
    case(
        "duplicate-address-across-files",
        {
            "a.yaml": """
kind: Agent
name: support
model: gpt-5
""",
            "b.yaml": """
kind: Agent
name: support
model: gpt-5
""",
        },
        "b.yaml:2:7: duplicate address Agent/support (first defined at a.yaml:2:7)",
    ),
    case(
        "invalid-resource-name",
        {
            "m.yaml": """
kind: Agent
name: -support
model: gpt-5
"""
        },
        (
            'm.yaml:2:7: name: invalid name "-support": a letter or digit, then letters, digits, "_", "." '
            'and "-", at most 64 characters'
        ),
    ),
    case(
        "invalid-function-name",
        {
            "m.yaml": """
kind: Function
name: get.order
description: d
parameters: {type: object}
"""
        },
        ('m.yaml:2:7: name: invalid name "get.order": letters, digits, "_" and "-" only, 1 to 64 characters'),
    ),
    case(
        "yaml-syntax-error",
        {
            "m.yaml": """
kind: Agent
name: support
  model: gpt-5
"""
        },
        "m.yaml:3:8: invalid YAML: mapping values are not allowed here",
    ),
    case(
        "duplicate-key",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
model: gpt-4o
"""
        },
        'm.yaml:4:1: duplicate key "model" (first defined at line 3)',
    ),
    case(
        "unsupported-yaml-tag",
        {
            "m.yaml": """
kind: Agent
name: support
model: !env MODEL
"""
        },
        "m.yaml:3:8: unsupported YAML tag !env",
    ),
    case(
        "unknown-field-suggests-closest",
        {
            "m.yaml": """
kind: Agent
name: support
modle: gpt-5
"""
        },
        'm.yaml:1:1: missing required field "model"',
        'm.yaml:3:1: unknown field "modle" (did you mean "model"?)',
    ),
    case(
        "wrong-type-suggests-quotes",
        {
            "m.yaml": """
kind: Agent
name: support
model: 5
"""
        },
        'm.yaml:3:8: model: expected a string, got a number (put it in quotes: "5")',
    ),
    case(
        "function-description-required",
        {
            "m.yaml": """
kind: Function
name: f
parameters: {type: object}
"""
        },
        'm.yaml:1:1: missing required field "description"',
    ),
    case(
        "function-description-at-most-1024",
        {
            "m.yaml": f"""
kind: Function
name: f
description: {LONG}
parameters: {{type: object}}
"""
        },
        "m.yaml:3:14: description: is 1025 characters long, at most 1024",
    ),
    case(
        "function-parameters-and-file-exclusive",
        {
            "m.yaml": """
kind: Function
name: f
description: d
parameters: {type: object}
parameters_file: f.json
"""
        },
        'm.yaml:5:1: parameters_file: cannot be used together with "parameters"',
    ),
    case(
        "function-needs-parameters",
        {
            "m.yaml": """
kind: Function
name: f
description: d
"""
        },
        'm.yaml:1:1: one of "parameters" or "parameters_file" is required',
    ),
    case(
        "parameters-must-be-json-schema",
        {
            "m.yaml": """
kind: Function
name: f
description: d
parameters:
  type: object
  properties:
    limit: {type: int}
"""
        },
        (
            'm.yaml:7:19: parameters.properties.limit.type: invalid type "int" (did you mean "integer"?): '
            'expected one of "array", "boolean", "integer", "null", "number", "object", "string"'
        ),
    ),
    case(
        "parameters-root-must-be-object",
        {
            "m.yaml": """
kind: Function
name: f
description: d
parameters:
  type: array
"""
        },
        'm.yaml:4:1: parameters: the root must be {"type": "object"}',
    ),
    case(
        "strict-property-not-required",
        {
            "m.yaml": """
kind: Function
name: f
description: d
strict: true
parameters:
  type: object
  properties:
    order_id: {type: string}
    limit: {type: integer}
  required: [order_id]
  additionalProperties: false
"""
        },
        'm.yaml:9:5: parameters.properties.limit: not listed in "required"',
    ),
    case(
        "strict-nested-object-needs-additional-properties-false",
        {
            "m.yaml": """
kind: Function
name: f
description: d
strict: true
parameters:
  type: object
  properties:
    address:
      type: object
      properties:
        city: {type: string}
      required: [city]
  required: [address]
  additionalProperties: false
"""
        },
        ('m.yaml:8:5: parameters.properties.address: "additionalProperties": false is required in strict mode'),
    ),
    case(
        "strict-unsupported-keyword-and-format",
        {
            "m.yaml": """
kind: Function
name: f
description: d
strict: true
parameters:
  type: object
  properties:
    code: {type: string, minLength: 3}
    site: {type: string, format: uri}
  required: [code, site]
  additionalProperties: false
"""
        },
        'm.yaml:8:26: parameters.properties.code.minLength: "minLength" is not supported in strict mode',
        'm.yaml:9:34: parameters.properties.site.format: format "uri" is not supported in strict mode',
    ),
    case(
        "strict-ref-must-resolve",
        {
            "m.yaml": """
kind: Function
name: f
description: d
strict: true
parameters:
  type: object
  properties:
    item: {$ref: "#/$defs/Itme"}
  required: [item]
  additionalProperties: false
  $defs:
    Item: {type: string}
"""
        },
        ('m.yaml:8:18: parameters.properties.item.$ref: "#/$defs/Itme" does not resolve (did you mean "Item"?)'),
    ),
    case(
        "parameters-file-outside-root",
        {
            "m.yaml": """
kind: Function
name: f
description: d
parameters_file: ../schema.json
"""
        },
        'm.yaml:4:18: parameters_file: "../schema.json" is outside the manifest root',
    ),
    case(
        "parameters-file-missing",
        {
            "m.yaml": """
kind: Function
name: f
description: d
parameters_file: schemas/f.json
"""
        },
        'm.yaml:4:18: parameters_file: file not found: "schemas/f.json"',
    ),
    case(
        "strict-error-points-into-parameters-file",
        {
            "m.yaml": """
kind: Function
name: f
description: d
strict: true
parameters_file: schemas/f.json
""",
            "schemas/f.json": """
{
  "type": "object",
  "properties": {
    "order_id": {"type": "string"},
    "limit": {"type": "integer"}
  },
  "required": ["order_id"],
  "additionalProperties": false
}
""",
        },
        'schemas/f.json:5:5: parameters.properties.limit: not listed in "required"',
    ),
    case(
        "file-not-found",
        {
            "m.yaml": """
kind: File
name: policy
path: files/policy.pdf
"""
        },
        'm.yaml:3:7: path[0]: file not found: "files/policy.pdf"',
    ),
    case(
        "file-purpose-enum",
        {
            "m.yaml": """
kind: File
name: policy
path: policy.md
purpose: assistant
""",
            "policy.md": "# policy\n",
        },
        (
            'm.yaml:4:10: purpose: invalid value "assistant": expected one of "assistants", "user_data", '
            '"vision", "batch", "fine-tune", "evals" (did you mean "assistants"?)'
        ),
    ),
    case(
        "vector-store-glob-matches-nothing",
        {
            "m.yaml": """
kind: VectorStore
name: handbook
files: [handbook/*.md]
"""
        },
        'm.yaml:3:9: files[0]: "handbook/*.md" matches no files',
    ),
    case(
        "vector-store-needs-files",
        {
            "m.yaml": """
kind: VectorStore
name: handbook
files: []
"""
        },
        "m.yaml:3:8: files: needs at least 1 item",
    ),
    case(
        "chunk-overlap-at-most-half",
        {
            "m.yaml": """
kind: VectorStore
name: handbook
files: [a.md]
chunking:
  max_chunk_size_tokens: 800
  chunk_overlap_tokens: 500
""",
            "a.md": "a\n",
        },
        ("m.yaml:6:3: chunking.chunk_overlap_tokens: must be at most half of max_chunk_size_tokens (400), got 500"),
    ),
    case(
        "chunk-size-range",
        {
            "m.yaml": """
kind: VectorStore
name: handbook
files: [a.md]
chunking: {max_chunk_size_tokens: 5000, chunk_overlap_tokens: 0}
""",
            "a.md": "a\n",
        },
        "m.yaml:4:35: chunking.max_chunk_size_tokens: must be at most 4096, got 5000",
    ),
    case(
        "chunking-shorthand-is-auto-only",
        {
            "m.yaml": """
kind: VectorStore
name: handbook
files: [a.md]
chunking: static
""",
            "a.md": "a\n",
        },
        'm.yaml:4:11: chunking: invalid value "static": expected "auto"',
    ),
    case(
        "expires-after-days-range",
        {
            "m.yaml": """
kind: VectorStore
name: handbook
files: [a.md]
expires_after_days: 400
""",
            "a.md": "a\n",
        },
        "m.yaml:4:21: expires_after_days: must be at most 365, got 400",
    ),
    case(
        "metadata-at-most-13-user-pairs",
        {
            "m.yaml": f"""
kind: Agent
name: support
model: gpt-5
metadata:
{FOURTEEN}
"""
        },
        ("m.yaml:4:1: metadata: 14 pairs, at most 13 (the API allows 16; assistplan uses 3 for its own labels)"),
    ),
    case(
        "metadata-reserved-prefix",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
metadata:
  team: support
  assistplan:project: other
"""
        },
        ('m.yaml:6:3: metadata.assistplan:project: the "assistplan:" prefix is reserved for assistplan\'s own labels'),
    ),
    case(
        "metadata-value-at-most-512",
        {
            "m.yaml": f"""
kind: Agent
name: support
model: gpt-5
metadata:
  note: {"n" * 513}
"""
        },
        "m.yaml:5:3: metadata.note: value is 513 characters long, at most 512",
    ),
    case(
        "temperature-range",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
temperature: 2.5
top_p: -0.1
"""
        },
        "m.yaml:4:14: temperature: must be at most 2, got 2.5",
        "m.yaml:5:8: top_p: must be at least 0, got -0.1",
    ),
    case(
        "assistant-one-vector-store",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
tools: [file_search]
file_search:
  vector_store: [handbook, faq]
"""
        },
        (
            "m.yaml:6:3: file_search.vector_store: an Assistant can use at most one vector store (an API "
            "limit), got a list of 2: write one name"
        ),
    ),
    case(
        "assistant-file-search-needs-tool",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
tools: [code_interpreter]
file_search:
  vector_store: handbook
"""
        },
        'm.yaml:5:1: file_search: configured, but "file_search" is not in "tools"',
    ),
    case(
        "assistant-code-interpreter-at-most-20-files",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
tools: [code_interpreter]
code_interpreter:
  files: [data/*.csv]
""",
            **{f"data/f{i:02}.csv": "a,b\n" for i in range(21)},
        },
        "m.yaml:6:3: code_interpreter.files: 21 files, at most 20",
    ),
    case(
        "assistant-at-most-128-tools",
        {
            "m.yaml": f"""
kind: Assistant
name: support
model: gpt-4o
tools:
{TOOLS129}
"""
        },
        "m.yaml:5:3: tools: has 129 items, at most 128",
    ),
    case(
        "assistant-builtin-tools",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
tools:
  - code_interpreter
  - web_search
"""
        },
        (
            'm.yaml:6:5: tools[1]: invalid value "web_search": expected one of "code_interpreter", '
            '"file_search" (did you mean "file_search"?)'
        ),
    ),
    case(
        "unknown-function-reference-suggests-closest",
        {
            "m.yaml": """
kind: Function
name: get_order_status
description: d
parameters: {type: object}
---
kind: Assistant
name: support
model: gpt-4o
tools:
  - function: get_order_state
"""
        },
        ('m.yaml:10:15: tools[0].function: unknown Function "get_order_state" (did you mean "get_order_status"?)'),
    ),
    case(
        "unknown-vector-store-reference",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
tools: [file_search]
file_search: {vector_store: handbook}
"""
        },
        'm.yaml:5:29: file_search.vector_store: unknown VectorStore "handbook"',
    ),
    case(
        "instructions-and-file-exclusive",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
instructions: Be nice.
instructions_file: prompt.md
"""
        },
        'm.yaml:5:1: instructions_file: cannot be used together with "instructions"',
    ),
    case(
        "response-format-type",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
response_format: {type: json}
"""
        },
        ('m.yaml:4:18: response_format: unknown type "json": expected one of "text", "json_object", "json_schema"'),
    ),
    case(
        "response-format-strict-schema",
        {
            "m.yaml": """
kind: Assistant
name: support
model: gpt-4o
response_format:
  type: json_schema
  json_schema:
    name: answer
    strict: true
    schema:
      type: object
      properties:
        text: {type: string}
"""
        },
        ('m.yaml:9:5: response_format.json_schema.schema: "additionalProperties": false is required in strict mode'),
        'm.yaml:12:9: response_format.json_schema.schema.properties.text: not listed in "required"',
    ),
    case(
        "reasoning-effort-enum",
        {
            "m.yaml": """
kind: Assistant
name: support
model: o3
reasoning_effort: maximum
"""
        },
        (
            'm.yaml:4:19: reasoning_effort: invalid value "maximum": expected one of "none", "minimal", '
            '"low", "medium", "high", "xhigh", "max" (did you mean "medium"?)'
        ),
    ),
    case(
        "agent-unknown-tool-type-suggests-closest",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
tools:
  - type: websearch
"""
        },
        (
            'm.yaml:5:5: tools[0]: unknown type "websearch" (did you mean "web_search"?): expected one of '
            '"web_search", "mcp", "tool_search", "programmatic_tool_calling", "computer_use", "automations"'
        ),
    ),
    case(
        "agent-tool-needs-type",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
tools:
  - tool_search
  - {enabled: true}
"""
        },
        "m.yaml:5:5: tools[0]: expected a mapping such as {type: tool_search}, got a string",
        'm.yaml:6:5: tools[1]: missing required field "type"',
    ),
    case(
        "agent-web-search-fields",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
tools:
  - type: web_search
    context_size: huge
    location: {country: us}
"""
        },
        ('m.yaml:6:19: tools[0].context_size: invalid value "huge": expected one of "low", "medium", "high"'),
        (
            'm.yaml:7:25: tools[0].location.country: invalid country "us": a two-letter ISO country code in '
            "capitals, such as US"
        ),
    ),
    case(
        "agent-mcp-transport",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
tools:
  - type: mcp
    server_label: docs
    transport: {type: stdio, command: docs-server}
  - type: mcp
    server_label: wiki
    transport: {type: http, server_url: "wiki.example"}
    connection_origin: client
"""
        },
        'm.yaml:7:5: tools[0].transport: missing required field "cwd"',
        ('m.yaml:10:41: tools[1].transport.server_url: invalid server_url "wiki.example": an http:// or https:// URL'),
        ('m.yaml:11:24: tools[1].connection_origin: invalid value "client": expected one of "service", "environment"'),
    ),
    case(
        "agent-mcp-needs-transport",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
tools:
  - type: mcp
    server_label: docs
"""
        },
        'm.yaml:5:5: tools[0]: missing required field "transport"',
    ),
    case(
        "agent-function-tool-fields",
        {
            "m.yaml": """
kind: Function
name: f
description: d
parameters: {type: object}
---
kind: Agent
name: support
model: gpt-5
tools:
  - function: f
    async: "yes"
    strict: true
"""
        },
        "m.yaml:11:12: tools[0].async: expected true or false, got a string",
        'm.yaml:12:5: tools[0]: unknown field "strict"',
    ),
    case(
        "agent-duplicate-function-tool",
        {
            "m.yaml": """
kind: Function
name: f
description: d
parameters: {type: object}
---
kind: Agent
name: support
model: gpt-5
tools:
  - function: f
  - function: f
"""
        },
        'm.yaml:11:5: tools[1]: "function: f" is listed twice',
    ),
    case(
        "agent-reasoning-text-service-tier",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
reasoning: {effort: medium, summary: short}
text: {verbosity: loud}
service_tier: turbo
"""
        },
        ('m.yaml:4:38: reasoning.summary: invalid value "short": expected one of "concise", "detailed", "auto"'),
        'm.yaml:5:19: text.verbosity: invalid value "loud": expected one of "low", "medium", "high"',
        (
            'm.yaml:6:15: service_tier: invalid value "turbo": expected one of "auto", "default", "flex", '
            '"priority", "fast", "ultrafast"'
        ),
    ),
    case(
        "agent-text-format-schema-invalid",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
text:
  format:
    type: json_schema
    schema:
      type: object
      required: order_id
"""
        },
        "m.yaml:9:17: text.format.schema.required: invalid JSON Schema: 'order_id' is not of type 'array'",
    ),
    case(
        "flowise-kinds-need-flowise-config",
        {
            "m.yaml": """
kind: FlowiseVariable
name: support_email
value: support@acme.example
"""
        },
        'm.yaml:1:1: FlowiseVariable needs a "flowise" section in assistplan.yaml',
    ),
    case(
        "flowise-openai-assistant-needs-assistant",
        {
            "assistplan.yaml": "project: test\nflowise: {url: http://127.0.0.1:3000}\n",
            "m.yaml": """
kind: FlowiseCredential
name: openai
credential: openAIApi
secrets: {openAIApiKey: {env: OPENAI_API_KEY}}
---
kind: FlowiseAssistant
name: support
type: OPENAI
credential: openai
chat_model: {name: chatOpenAI, model: gpt-4o-mini}
""",
        },
        'm.yaml:6:1: an OPENAI assistant needs "assistant" (the name of an Assistant manifest)',
        "m.yaml:10:1: chat_model: only for CUSTOM assistants",
    ),
    case(
        "flowise-custom-assistant-fields",
        {
            "assistplan.yaml": "project: test\nflowise: {url: http://127.0.0.1:3000}\n",
            "m.yaml": """
kind: FlowiseAssistant
name: support
type: CUSTOM
credential: openai
assistant: support
tools: [order-tool]
""",
        },
        'm.yaml:1:1: a CUSTOM assistant needs "chat_model"',
        "m.yaml:5:1: assistant: only for OPENAI assistants",
    ),
    case(
        "flowise-credential-secrets-only-from-env",
        {
            "assistplan.yaml": "project: test\nflowise: {url: http://127.0.0.1:3000}\n",
            "m.yaml": """
kind: FlowiseCredential
name: openai
credential: openAIApi
secrets:
  openAIApiKey: sk-live-123
""",
        },
        ("m.yaml:5:3: secrets.openAIApiKey: secret values come only from environment variables: write {env: VARIABLE}"),
    ),
    case(
        "flowise-references-resolved",
        {
            "assistplan.yaml": "project: test\nflowise: {url: http://127.0.0.1:3000}\n",
            "m.yaml": """
kind: FlowiseTool
name: order-tool
function: get_order
code: return 1;
---
kind: FlowiseAssistant
name: support
type: CUSTOM
credential: opneai
chat_model: {name: chatOpenAI, model: gpt-4o-mini}
tools: [order-tol]
---
kind: FlowiseCredential
name: openai
credential: openAIApi
secrets: {openAIApiKey: {env: OPENAI_API_KEY}}
""",
        },
        'm.yaml:3:11: function: unknown Function "get_order"',
        'm.yaml:9:13: credential: unknown FlowiseCredential "opneai" (did you mean "openai"?)',
        'm.yaml:11:9: tools[0]: unknown FlowiseTool "order-tol" (did you mean "order-tool"?)',
    ),
    case(
        "flowise-variable-type",
        {
            "assistplan.yaml": "project: test\nflowise: {url: http://127.0.0.1:3000}\n",
            "m.yaml": """
kind: FlowiseVariable
name: support_email
type: secret
""",
        },
        'm.yaml:3:7: type: invalid value "secret": expected one of "static", "runtime"',
    ),
    case(
        "config-project-name",
        {"assistplan.yaml": "project: Acme Support\nopenai: {base_url: localhost:8000}\n"},
        (
            'assistplan.yaml:1:10: project: invalid project "Acme Support": lowercase letters, digits and '
            '"-" only, 1 to 40 characters'
        ),
        (
            'assistplan.yaml:2:10: openai.base_url: must be "sandbox" or an http:// or https:// URL, got '
            '"localhost:8000"'
        ),
    ),
    case(
        "config-openai-base-url-with-an-unclosed-ipv6-literal",
        {"assistplan.yaml": 'project: acme\nopenai: {base_url: "http://[::1"}\n'},
        "assistplan.yaml:2:10: openai.base_url: not a valid URL: Invalid IPv6 URL",
    ),
    case(
        "config-openai-base-url-with-a-host-label-longer-than-63-characters",
        {"assistplan.yaml": f"project: acme\nopenai: {{base_url: 'http://{'a' * 5000}.example.com/v1'}}\n"},
        (
            "assistplan.yaml:2:10: openai.base_url: invalid host name: each part between dots must be 1 to 63 "
            "characters long (encoded as IDNA)"
        ),
    ),
    case(
        "config-flowise-url-with-a-port-that-is-no-number",
        {"assistplan.yaml": "project: acme\nflowise: {url: 'http://[::1]x:3000'}\n"},
        "assistplan.yaml:2:11: flowise.url: invalid port 'x:3000': expected a number from 1 to 65535",
    ),
    case(
        "config-flowise-url-with-a-host-label-longer-than-63-characters",
        {"assistplan.yaml": f"project: acme\nflowise: {{url: 'http://{'a' * 5000}:3000'}}\n"},
        (
            "assistplan.yaml:2:11: flowise.url: invalid host name: each part between dots must be 1 to 63 "
            "characters long (encoded as IDNA)"
        ),
    ),
    case(
        "config-unknown-field",
        {"assistplan.yaml": "project: acme\nflowsie: {url: http://127.0.0.1:3000}\n"},
        'assistplan.yaml:2:1: unknown field "flowsie" (did you mean "flowise"?)',
    ),
    case(
        "lifecycle-fields",
        {
            "m.yaml": """
kind: Agent
name: support
model: gpt-5
lifecycle:
  prevent_destroy: yes
  ignore_change: [model]
"""
        },
        'm.yaml:6:3: lifecycle: unknown field "ignore_change" (did you mean "ignore_changes"?)',
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_broken_manifest_is_reported_at_its_position(
    failing: Callable[..., list[str]], files: dict[str, str], expected: list[str]
) -> None:
    assert failing(files) == expected


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
