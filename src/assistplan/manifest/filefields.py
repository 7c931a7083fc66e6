"""The `*_file` fields of each kind, found in the manifest models, and the paths they name in a raw document.

Only a field the models declare, at the position they declare it, names a file: a key ending in `_file` anywhere
else (in `metadata`, in a JSON Schema, in `vars`) is data.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from assistplan.manifest.models import spec_type

FieldPath = tuple[str, ...]
ANY_ITEM = "*"
"""A path step matching every item of a list or every value of a mapping."""


def _members(annotation: Any) -> Iterator[tuple[FieldPath, type[BaseModel]]]:
    """The models reachable from a type annotation, with the item steps (ANY_ITEM) needed to reach them."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _members(get_args(annotation)[0])
    elif origin in (Union, types.UnionType):
        for member in get_args(annotation):
            yield from _members(member)
    elif origin in (list, tuple, set, frozenset):
        for member in get_args(annotation):
            yield from (((ANY_ITEM, *steps), model) for steps, model in _members(member))
    elif origin is dict:
        yield from (((ANY_ITEM, *steps), model) for steps, model in _members(get_args(annotation)[1]))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield (), annotation


def _declared(model: type[BaseModel], seen: frozenset[type[BaseModel]]) -> Iterator[FieldPath]:
    for name, field in model.model_fields.items():
        key = field.alias or name
        if name.endswith("_file"):
            yield (key,)
            continue
        for steps, member in _members(field.annotation):
            if member not in seen:
                yield from ((key, *steps, *rest) for rest in _declared(member, seen | {member}))


@cache
def file_fields(kind: str) -> tuple[FieldPath, ...]:
    """Where the `*_file` fields of `kind` are, for example `("response_format", "json_schema", "schema_file")`."""
    model = spec_type(kind)
    return tuple(dict.fromkeys(_declared(model, frozenset({model})))) if model else ()


def file_references(kind: str, document: Any) -> Iterator[str]:
    """Every path a raw document of `kind` names in one of its declared `*_file` fields."""
    for path in file_fields(kind):
        yield from _values(document, path)


def _values(value: Any, path: FieldPath) -> Iterator[str]:
    if not path:
        if isinstance(value, str):
            yield value
        return
    step, rest = path[0], path[1:]
    if step == ANY_ITEM:
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        for item in items:
            yield from _values(item, rest)
    elif isinstance(value, dict) and step in value:
        yield from _values(value[step], rest)
