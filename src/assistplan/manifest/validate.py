"""Turn pydantic validation errors into diagnostics worded for manifest authors, at the right line and column."""

from __future__ import annotations

import json
import types
from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from assistplan.diagnostics import Diagnostic, did_you_mean
from assistplan.manifest.fields import PATTERN_DESCRIPTIONS, SECRET_REFERENCE_ONLY
from assistplan.manifest.openai_models import SHORTHAND
from assistplan.manifest.yamlpos import JsonPath, Positions, format_path

M = TypeVar("M", bound=BaseModel)

_INTERNAL_TAGS = frozenset({SHORTHAND, "builtin", "function", "static"})
_TYPE_NOUNS = {
    "string": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "dict": "a mapping",
    "list": "a list",
    "model": "a mapping",
    "model_attributes": "a mapping",
}


def describe(value: Any) -> str:
    """A value as the author wrote it, short: `"text"`, `true`, `3`, `a mapping`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 60 else text[:56] + '..."'
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return describe(value)


def quoted_list(values: Iterable[Any]) -> str:
    items = [f'"{value}"' if isinstance(value, str) else describe(value) for value in values]
    return items[0] if len(items) == 1 else "one of " + ", ".join(items)


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _member_for_tag(union: Any, tag: object) -> Any:
    for member in get_args(union):
        if get_origin(member) is Annotated and any(isinstance(m, Tag) and m.tag == tag for m in get_args(member)[1:]):
            return member
        inner = _unwrap(member)
        if _is_model(inner):
            type_field = inner.model_fields.get("type")
            if type_field is not None and tag in get_args(_unwrap(type_field.annotation)):
                return inner
    return None


def _field(model: type[BaseModel], key: object) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field.annotation
    return None


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _walk(model: type[BaseModel], data: Any, loc: tuple[str | int, ...]) -> tuple[JsonPath, Any, Any]:
    """Follow an error's `loc`: the path in the data (union tags dropped), the type there and its parent type."""
    path: list[str | int] = []
    tp: Any = model
    parent: Any = None
    for part in loc:
        current = _unwrap(tp)
        if _is_union(current):
            tp = _member_for_tag(current, part)
            continue
        parent = current
        if _is_model(current):
            tp = _field(current, part)
        elif get_origin(current) is list:
            tp = get_args(current)[0]
        elif get_origin(current) is dict:
            tp = get_args(current)[1]
        else:
            tp = None
        path.append(part)
        data = data.get(part) if isinstance(data, dict) else data[part] if _has_index(data, part) else None
    return tuple(path), tp, parent


def _has_index(data: Any, part: object) -> bool:
    return isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)


def _field_names(model: Any) -> list[str]:
    if not _is_model(model):
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _branch_of_the_input(model: type[BaseModel], data: Any, errors: list[Any]) -> list[Any]:
    """The errors, less those of a union's branches of another type than the input when a branch of its type has
    errors of its own: `version: 0` of `int >= 1 | "latest"` is "must be at least 1" alone, `version: lates` is
    "expected 'latest'" alone."""
    paths = [_walk(model, data, tuple(error["loc"]))[0] for error in errors]

    def of_another_type(error: Any) -> bool:
        if error["type"] == "literal_error":
            quoted = str((error.get("ctx") or {}).get("expected", "")).startswith("'")  # pydantic quotes text
            return quoted != isinstance(error.get("input"), str)
        return str(error["type"]).endswith("_type")

    fitting = {path for error, path in zip(errors, paths, strict=True) if not of_another_type(error)}
    return [
        error for error, path in zip(errors, paths, strict=True) if not (path in fitting and of_another_type(error))
    ]


def _prefix(path: JsonPath) -> str:
    return f"{format_path(path)}: " if path else ""


class _Translator:
    def __init__(
        self, model: type[BaseModel], data: Any, positions: Positions, address: str | None, hints: bool
    ) -> None:
        self.model = model
        self.data = data
        self.positions = positions
        self.address = address
        self.hints = hints

    def diagnostic(self, message: str, path: JsonPath, *, key: bool) -> Diagnostic:
        where = self.positions.key(path) if key else self.positions.value(path)
        return Diagnostic.error(message, range=where, address=self.address, sensitive=SECRET_REFERENCE_ONLY in message)

    def translate(self, error: Any) -> list[Diagnostic]:
        kind = error["type"]
        ctx = error.get("ctx") or {}
        path, tp, parent = _walk(self.model, self.data, tuple(error["loc"]))
        value = error.get("input")
        if kind == "assistplan_many":
            return [self.custom(message, path, at) for message, at in ctx["problems"]]
        if kind == "assistplan":
            return [self.custom(error["msg"], path, ctx.get("at", ()))]
        if kind == "missing":
            return [self.diagnostic(f'{_prefix(path[:-1])}missing required field "{path[-1]}"', path[:-1], key=True)]
        if kind == "extra_forbidden":
            hint = self.did_you_mean(path[-1], _field_names(parent))
            return [self.diagnostic(f'{_prefix(path[:-1])}unknown field "{path[-1]}"{hint}', path, key=True)]
        message = self.message(kind, ctx, value, tp, path, error["msg"])
        return [self.diagnostic(_prefix(path) + message, path, key=False)]

    def custom(self, message: str, path: JsonPath, at: tuple[str | int, ...]) -> Diagnostic:
        return self.diagnostic(_prefix((*path, *at)) + message, (*path, *at), key=True)

    def message(self, kind: str, ctx: dict[str, Any], value: Any, tp: Any, path: JsonPath, default: str) -> str:
        if kind == "literal_error":
            expected = get_args(_unwrap(tp)) if get_origin(_unwrap(tp)) is Literal else ()
            if expected:
                hint = self.did_you_mean(value, expected)
                return f"invalid value {describe(value)}: expected {quoted_list(expected)}{hint}"
            return f"invalid value {describe(value)}: expected {ctx.get('expected', '')}"
        if kind == "union_tag_invalid":
            tags = [tag.strip("'") for tag in str(ctx.get("expected_tags", "")).split(", ")]
            tags = [tag for tag in tags if tag not in _INTERNAL_TAGS]
            tag = ctx.get("tag")
            return f"unknown type {describe(tag)}{self.did_you_mean(tag, tags)}: expected {quoted_list(tags)}"
        if kind == "union_tag_not_found":
            if isinstance(value, dict):
                return 'missing required field "type"'
            hint = f" such as {{type: {value}}}" if isinstance(value, str) and value.isidentifier() else ""
            return f"expected a mapping{hint}, got {_kind_of(value)}"
        if kind.endswith("_type") and kind[: -len("_type")] in _TYPE_NOUNS:
            return self.type_message(_TYPE_NOUNS[kind[: -len("_type")]], value, path)
        if kind in ("string_too_short", "too_short"):
            minimum = ctx.get("min_length", 1)
            if kind == "string_too_short" and minimum == 1:
                return "must not be empty"
            unit = "character" if kind == "string_too_short" else "item"
            return f"needs at least {minimum} {unit}{'s' if minimum != 1 else ''}"
        if kind == "string_too_long":
            return f"is {len(value)} characters long, at most {ctx['max_length']}"
        if kind == "too_long":
            return f"has {ctx.get('actual_length', len(value))} items, at most {ctx['max_length']}"
        if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            bound = {"greater_than_equal": "at least", "greater_than": "more than"}.get(kind)
            bound = bound or {"less_than_equal": "at most", "less_than": "less than"}[kind]
            limit = ctx.get("ge", ctx.get("gt", ctx.get("le", ctx.get("lt"))))
            return f"must be {bound} {describe(limit)}, got {describe(value)}"
        if kind == "string_pattern_mismatch":
            label = path[-1] if path and isinstance(path[-1], str) else "value"
            rule = PATTERN_DESCRIPTIONS.get(ctx.get("pattern", ""), f"must match {ctx.get('pattern')}")
            return f"invalid {label} {describe(value)}: {rule}"
        if kind == "finite_number":
            return "must be a finite number"
        if kind in ("int_from_float", "int_parsing"):
            return f"expected an integer, got {describe(value)}"
        if kind == "value_error":
            return str(ctx.get("error", default))
        return default

    def did_you_mean(self, word: object, choices: Iterable[str]) -> str:
        return did_you_mean(word, choices) if self.hints else ""

    def type_message(self, expected: str, value: Any, path: JsonPath) -> str:
        message = f"expected {expected}, got {_kind_of(value)}"
        raw = self.positions.raw(path)
        if expected == "a string" and raw is not None and not isinstance(value, dict | list):
            message += f' (put it in quotes: "{raw}")'
        return message


def validate_model(
    model: type[M],
    data: Any,
    positions: Positions,
    *,
    address: str | None = None,
    hints: bool = True,
    past_unknown_fields: bool = False,
) -> tuple[M | None, list[Diagnostic]]:
    """Validate `data` (a parsed document, or part of one) against `model`; every error as a positioned diagnostic.

    `hints` False leaves out the "did you mean" suggestions (they cost the most, and past many errors nobody reads
    them). With `past_unknown_fields`, a mapping whose only errors are unknown top-level fields (a misspelled field)
    also gives the model validated without them, beside those errors, so that the checks that need a model
    (references, files) report their problems in the same run."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = _branch_of_the_input(model, data, exc.errors(include_url=False))
        translator = _Translator(model, data, positions, address, hints)
        diagnostics: list[Diagnostic] = []
        for error in errors:
            diagnostics.extend(translator.translate(error))
        unknown = {error["loc"][0] for error in errors if error["type"] == "extra_forbidden" and len(error["loc"]) == 1}
        if past_unknown_fields and isinstance(data, dict) and len(unknown) == len(errors):
            try:
                return model.model_validate({k: v for k, v in data.items() if k not in unknown}), diagnostics
            except ValidationError:
                pass
        return None, diagnostics
