"""JSON Schemas of the manifest format and of assistplan.yaml, generated from the models, for editors.

Field descriptions come from the docstrings under the fields; they are read here, when a schema is generated,
rather than by pydantic at import time, which would slow every command's start.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from typing import Annotated, Any, Union

from pydantic import BaseModel, Field, TypeAdapter

from assistplan.manifest.fields import Spec
from assistplan.manifest.models import ProjectConfig, spec_types

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _models(base: type[BaseModel]) -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for model in base.__subclasses__():
        found[model.__name__] = model
        found |= _models(model)
    return found


def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the docstring written under it in the class body."""
    body = ast.parse(textwrap.dedent(inspect.getsource(model))).body[0]
    docs: dict[str, str] = {}
    statements = body.body if isinstance(body, ast.ClassDef) else []
    for statement, following in itertools.pairwise(statements):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _describe(schema: dict[str, Any]) -> dict[str, Any]:
    """Add field descriptions from docstrings to every model definition in `schema`."""
    models = _models(Spec)
    definitions = [schema, *schema.get("$defs", {}).values()]
    for definition in definitions:
        model = models.get(definition.get("title", ""))
        if model is None:
            continue
        docs: dict[str, str] = {}
        for ancestor in reversed(model.__mro__):
            if isinstance(ancestor, type) and issubclass(ancestor, Spec):
                docs |= _attribute_docs(ancestor)
        for name, field in model.model_fields.items():
            prop = definition.get("properties", {}).get(field.alias or name)
            if prop is not None and name in docs:
                prop.setdefault("description", docs[name])
    return schema


def manifest_schema() -> dict[str, Any]:
    """One manifest document: a `oneOf` of the kinds, told apart by `kind`."""
    union: Any = Union[tuple(spec_types().values())]  # noqa: UP007 (a union built at run time)
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[union, Field(discriminator="kind")])
    body = _describe(adapter.json_schema(by_alias=True))
    return {
        "$schema": DIALECT,
        "title": "assistplan manifest",
        "description": "One document of an assistplan manifest file (several may share a file, separated by ---).",
        **body,
    }


def config_schema() -> dict[str, Any]:
    """`assistplan.yaml`."""
    body = _describe(ProjectConfig.model_json_schema(by_alias=True))
    return {"$schema": DIALECT, "title": "assistplan.yaml", **body}
