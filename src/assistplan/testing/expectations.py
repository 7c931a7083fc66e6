"""Checking one reply against its turn's expectations: each unmet expectation becomes a sentence naming it."""

from __future__ import annotations

import json
import re
from typing import Any

from assistplan.manifest.conversation_test_models import Expect, ToolCall, texts
from assistplan.testing.model import Called, Reply


def unmet(expect: Expect, reply: Reply) -> list[str]:
    """The expectations `reply` does not satisfy, in the order the manifest lists their kinds."""
    problems: list[str] = []
    for text in texts(expect.contains):
        if text not in reply.text:
            problems.append(f"contains: expected the reply to contain {_quoted(text)}")
    for text in texts(expect.not_contains):
        if text in reply.text:
            problems.append(f"not_contains: expected the reply not to contain {_quoted(text)}")
    for pattern in texts(expect.regex):
        if re.search(pattern, reply.text) is None:
            problems.append(f"regex: expected the reply to match /{pattern}/")
    for wanted in expect.tool_calls():
        problem = _tool_problem(wanted, reply.calls)
        if problem is not None:
            problems.append(f"tool_called: {problem}")
    if expect.json_schema is not None:
        problem = _json_problem(expect.json_schema, reply.text)
        if problem is not None:
            problems.append(f"json_schema: {problem}")
    if expect.latency_ms is not None and reply.latency_ms > expect.latency_ms:
        problems.append(
            f"latency_ms: expected a reply within {expect.latency_ms} ms; it took {reply.latency_ms:.0f} ms"
        )
    return problems


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _tool_problem(wanted: ToolCall, calls: tuple[Called, ...]) -> str | None:
    named = [call for call in calls if call.name == wanted.name]
    if not named:
        made = ", ".join(dict.fromkeys(call.name for call in calls)) or "no function"
        return f"expected a call of {wanted.name}; the reply called {made}"
    if wanted.arguments is None:
        return None
    reasons = [_schema_problem(wanted.arguments, call.arguments) for call in named]
    if any(reason is None for reason in reasons):
        return None
    shown = json.dumps(named[0].arguments, ensure_ascii=False, sort_keys=True)
    return f"{wanted.name} was called with {shown}, which does not match the arguments schema: {reasons[0]}"


def _json_problem(schema: dict[str, Any], text: str) -> str | None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return f"expected the reply to be JSON; it is not ({error.msg} at line {error.lineno} column {error.colno})"
    reason = _schema_problem(schema, document)
    return None if reason is None else f"the reply's JSON does not match the schema: {reason}"


def _schema_problem(schema: dict[str, Any], document: Any) -> str | None:
    """Why `document` is not valid against `schema` (the most relevant error, at its path), or None."""
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return None
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
    return f"{error.message} at {'$' + where}"
