"""The sandbox's scripted model: the deterministic stand-in for a language model behind runs, chat completions and
agent sessions, and the `/_sandbox/replies` control route that gives it exact replies.

It sees a conversation (the thread's messages, the `messages` array a chat client sends, or the session's items) and
the function tools it may call, and answers with either a text or function calls. The rules, first match wins:

1. **Exact replies.** A reply queued with `POST /_sandbox/replies {"queue": [...]}` is used (and consumed) by the
   next answer, whatever the conversation; with the queue empty, the first pattern of `{"patterns": {regex: reply}}`
   that matches the last user message (case-insensitive search) gives the reply. A reply is a text, or
   `{"tool_calls": [{"name": ..., "arguments": {...}}]}` to call functions.
2. **Tool outputs.** When tool outputs arrived after the last user message, the answer is one line per output:
   `<function name> returned: <output>`.
3. **Function calls.** Unless `tool_choice` is `none`, each function whose required parameters can all be read from
   the last user message is called with them (only the first such function when parallel tool calls are off). A
   parameter is read by its JSON schema: `enum` values by name, `integer`/`number` as the first number, a string with
   `pattern` as the first match of the pattern, `format: email` / `date` by their shape, any other string as the
   first word containing a digit (such as `A-1001`); booleans, objects and arrays are never read. A function with no
   required parameters is called when at least one parameter was read. `tool_choice: required` or a named function
   calls the first (or the named) function even when nothing could be read.
4. **Memory.** Every user message of the conversation that says `my <thing> is <value>` (or `call me <value>`, for
   the name) states a fact; the latest statement of a thing wins. A question `what's my <thing>?` (also `what is`,
   `do you know`/`remember my <thing>`) is answered `Your <thing> is <value>.`, or `I don't know your <thing> yet.`
   A message that states facts and asks nothing is answered `Noted: your <thing> is <value>.`
5. Anything else: `Sandbox reply to: <the last user message>`.

Usage is counted in words: prompt tokens are the words of the whole conversation, completion tokens those of the
answer (a function call counts its name and argument text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assistplan.sandbox.errors import SandboxError
from assistplan.sandbox.store import Store, new_id

QUEUED = "scripted.reply"
PATTERN = "scripted.pattern"
REPLY_PREFIX = "Sandbox reply to: "
CONTROL_PATH = "/_sandbox/replies"

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """A function call the model makes: the function's name and its arguments as JSON text."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Message:
    """One entry of a conversation; tool outputs carry the name of the function that produced them."""

    role: Role
    text: str
    name: str | None = None


@dataclass(frozen=True)
class Function:
    """A function tool the model may call: its name and its parameters' JSON schema."""

    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    strict: bool = False


@dataclass(frozen=True)
class Answer:
    """What the model says: a text, or function calls (then `text` is None)."""

    text: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    prompt_tokens: int = 0

    @property
    def completion_tokens(self) -> int:
        if self.text is not None:
            return words(self.text)
        return sum(words(call.name) + words(call.arguments) for call in self.tool_calls)

    def usage(self) -> dict[str, int]:
        completion = self.completion_tokens
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }


@dataclass(frozen=True)
class ToolChoice:
    """`mode` is `auto`, `none` or `required`; `function` names a function the model must call."""

    mode: str = "auto"
    function: str | None = None


def words(text: str) -> int:
    return len(text.split())


def respond(
    store: Store,
    conversation: Sequence[Message],
    functions: Sequence[Function] = (),
    *,
    tool_choice: ToolChoice | None = None,
    parallel_tool_calls: bool = True,
) -> Answer:
    """The model's answer to `conversation` (see the module's rules)."""
    choice = tool_choice or ToolChoice()
    prompt_tokens = sum(words(message.text) for message in conversation)
    start = next((i + 1 for i in range(len(conversation) - 1, -1, -1) if conversation[i].role == "user"), 0)
    question = conversation[start - 1].text if start else ""
    scripted = _scripted(store, question)
    if scripted is not None:
        if isinstance(scripted, str):
            return Answer(scripted, prompt_tokens=prompt_tokens)
        return Answer(None, scripted, prompt_tokens)
    outputs = [m for m in conversation[start:] if m.role == "tool"]
    if outputs:
        text = "\n".join(f"{m.name or 'tool'} returned: {m.text}" for m in outputs)
        return Answer(text, prompt_tokens=prompt_tokens)
    calls = _calls(question, functions, choice, parallel_tool_calls)
    if calls:
        return Answer(None, calls, prompt_tokens)
    return Answer(_recall(conversation, question), prompt_tokens=prompt_tokens)


# --- function calls ---------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w-])-?\d+(?:\.\d+)?(?![\w-])")
_INTEGER = re.compile(r"(?<![\w-])-?\d+(?![\w.-])")
_WORD = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
_FORMATS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
}


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if isinstance(kind, str):
        return [kind]
    if "enum" in schema:
        return ["string"]
    return []


def _first(pattern: re.Pattern[str], text: str, used: set[str], *, digit: bool = False) -> str | None:
    """The first match not taken by an earlier parameter (with `digit`, the first containing a digit)."""
    for match in pattern.finditer(text):
        value = match.group(0)
        if value not in used and (not digit or any(c.isdigit() for c in value)):
            return value
    return None


def _value(schema: dict[str, Any], text: str, used: set[str]) -> tuple[bool, Any]:
    """Whether a value for a parameter of `schema` can be read from `text`, and the value."""
    enum = schema.get("enum")
    if isinstance(enum, list):
        for option in enum:
            if isinstance(option, str) and re.search(rf"\b{re.escape(option)}\b", text, re.IGNORECASE):
                return True, option
        return False, None
    types = [kind for kind in _types(schema) if kind != "null"]
    kind = types[0] if types else None
    if kind in ("integer", "number"):
        found = _first(_INTEGER if kind == "integer" else _NUMBER, text, used)
        if found is None:
            return False, None
        used.add(found)
        return True, int(found) if kind == "integer" else float(found) if "." in found else int(found)
    if kind != "string":
        return False, None
    pattern = schema.get("pattern")
    compiled = _FORMATS.get(str(schema.get("format")), _WORD)
    if isinstance(pattern, str):
        try:
            compiled = re.compile(pattern.removeprefix("^").removesuffix("$"))
        except re.error:
            return False, None
    found = _first(compiled, text, used, digit=compiled is _WORD)
    if found is None:
        return False, None
    used.add(found)
    return True, found


def _arguments(function: Function, text: str) -> tuple[bool, dict[str, Any]]:
    """The arguments read from `text`, and whether they are enough to call `function`."""
    properties = function.parameters.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = function.parameters.get("required")
    required = [name for name in required if isinstance(name, str)] if isinstance(required, list) else []
    used: set[str] = set()
    arguments: dict[str, Any] = {}
    for name, schema in properties.items():
        found, value = _value(schema if isinstance(schema, dict) else {}, text, used)
        if found:
            arguments[name] = value
        elif function.strict and "null" in _types(schema if isinstance(schema, dict) else {}):
            arguments[name] = None
    enough = all(name in arguments for name in required) if required else bool(arguments)
    return enough, arguments


def _calls(text: str, functions: Sequence[Function], choice: ToolChoice, parallel: bool) -> tuple[ToolCall, ...]:
    if choice.mode == "none" or not functions:
        return ()
    candidates = [f for f in functions if choice.function is None or f.name == choice.function]
    calls: list[ToolCall] = []
    for function in candidates:
        enough, arguments = _arguments(function, text)
        if enough:
            calls.append(ToolCall(function.name, json.dumps(arguments)))
    forced = choice.mode == "required" or choice.function is not None
    if not calls and forced and candidates:
        calls.append(ToolCall(candidates[0].name, json.dumps(_arguments(candidates[0], text)[1])))
    return tuple(calls if parallel else calls[:1])


# --- memory ---------------------------------------------------------------------------------------------------------

_THING = r"([a-z][a-z -]{0,40}?)"
_STATEMENT = re.compile(rf"\bmy\s+{_THING}\s+is\s+([^.!?\n]+)", re.IGNORECASE)
_CALL_ME = re.compile(r"\bcall me\s+([^.!?\n,]+)", re.IGNORECASE)
_QUESTION = re.compile(
    rf"\b(?:what(?:'s|\s+is)|do you (?:know|remember)|tell me)\s+my\s+{_THING}\s*(?:\?|$|[.!])", re.IGNORECASE
)


def _normal(thing: str) -> str:
    return " ".join(thing.lower().split())


def facts(text: str) -> list[tuple[str, str]]:
    """The (thing, value) statements in one user message, in order."""
    found = [(m.start(), _normal(m.group(1)), m.group(2).strip()) for m in _STATEMENT.finditer(text)]
    found += [(m.start(), "name", m.group(1).strip()) for m in _CALL_ME.finditer(text)]
    return [(thing, value) for _, thing, value in sorted(found)]


def _recall(conversation: Sequence[Message], question: str) -> str:
    known: dict[str, str] = {}
    for message in conversation:
        if message.role == "user":
            known.update(facts(message.text))
    asked = _QUESTION.search(question)
    if asked is not None:
        thing = _normal(asked.group(1))
        if thing in known:
            return f"Your {thing} is {known[thing]}."
        return f"I don't know your {thing} yet."
    stated = facts(question)
    if stated:
        return " ".join(f"Noted: your {thing} is {value}." for thing, value in stated)
    return REPLY_PREFIX + question


# --- exact replies ---------------------------------------------------------------------------------------------------

Reply = str | tuple[ToolCall, ...]


def _scripted(store: Store, question: str) -> Reply | None:
    queued = store.children(QUEUED, "")
    if queued:
        store.delete(QUEUED, queued[0]["id"])
        return _reply(queued[0]["reply"])
    for entry in store.children(PATTERN, ""):
        if re.search(entry["id"], question, re.IGNORECASE):
            return _reply(entry["reply"])
    return None


def _reply(value: Any) -> Reply:
    if isinstance(value, str):
        return value
    return tuple(ToolCall(call["name"], json.dumps(call["arguments"])) for call in value["tool_calls"])


def _checked_reply(value: Any, where: str) -> Any:
    if isinstance(value, str):
        return value
    calls = value.get("tool_calls") if isinstance(value, dict) and set(value) == {"tool_calls"} else None
    if not isinstance(calls, list) or not calls:
        raise ValueError(f"{where}: a reply is a string or {{'tool_calls': [{{'name', 'arguments'}}, ...]}}")
    for call in calls:
        if not (
            isinstance(call, dict)
            and isinstance(call.get("name"), str)
            and isinstance(call.get("arguments", {}), dict)
            and set(call) <= {"name", "arguments"}
        ):
            raise ValueError(f"{where}: each tool call is {{'name': str, 'arguments': object}}")
    return {"tool_calls": [{"name": c["name"], "arguments": c.get("arguments", {})} for c in calls]}


def script(store: Store, *, queue: Sequence[Any] = (), patterns: dict[str, Any] | None = None) -> None:
    """Queue exact replies and set pattern replies (a pattern set again replaces its reply); ValueError if invalid."""
    entries = [_checked_reply(reply, f"queue[{index}]") for index, reply in enumerate(queue)]
    rules: list[tuple[str, Any]] = []
    for pattern, reply in (patterns or {}).items():
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"patterns: {pattern!r} is not a regular expression ({error})") from None
        rules.append((pattern, _checked_reply(reply, f"patterns[{pattern!r}]")))
    with store.transaction():
        for reply in entries:
            store.put(QUEUED, {"id": new_id("reply_"), "reply": reply})
        for pattern, reply in rules:
            store.delete(PATTERN, pattern)
            store.put(PATTERN, {"id": pattern, "reply": reply})


def scripted(store: Store) -> dict[str, Any]:
    """The replies still queued and the pattern replies, as the control route shows them."""
    return {
        "queue": [entry["reply"] for entry in store.children(QUEUED, "")],
        "patterns": {entry["id"]: entry["reply"] for entry in store.children(PATTERN, "")},
    }


def forget(store: Store) -> None:
    with store.transaction():
        store.delete_children(QUEUED, "")
        store.delete_children(PATTERN, "")


def routes(store: Store) -> list[Route]:
    """`GET` (what is scripted), `POST` (add: `{"queue": [...], "patterns": {...}}`), `DELETE` (forget all)."""

    async def replies(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = json.loads(await request.body() or b"{}")
                if not isinstance(body, dict) or not set(body) <= {"queue", "patterns"}:
                    raise ValueError("the body is {'queue': [...], 'patterns': {regex: reply}}")
                queue, patterns = body.get("queue", []), body.get("patterns", {})
                if not isinstance(queue, list) or not isinstance(patterns, dict):
                    raise ValueError("'queue' is a list and 'patterns' an object")
                script(store, queue=queue, patterns=patterns)
            except ValueError as error:
                failure = SandboxError(400, f"Invalid scripted replies: {error}")
                return JSONResponse(failure.body(), status_code=400)
        elif request.method == "DELETE":
            forget(store)
        return JSONResponse(scripted(store))

    return [Route(CONTROL_PATH, replies, methods=["GET", "POST", "DELETE"])]
