"""JSON Schemas of the manifest format and of assistplan.yaml, generated from the models, for editors."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from assistplan.manifest.models import SPEC_TYPES, ProjectConfig

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def manifest_schema() -> dict[str, Any]:
    """One manifest document: a `oneOf` of the kinds, told apart by `kind`."""
    kinds = Union[tuple(SPEC_TYPES.values())]  # noqa: UP007 - a Union built from a tuple of types
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[kinds, Field(discriminator="kind")])
    body = adapter.json_schema(by_alias=True)
    return {
        "$schema": DIALECT,
        "title": "assistplan manifest",
        "description": "One document of an assistplan manifest file (several may share a file, separated by ---).",
        **body,
    }


def config_schema() -> dict[str, Any]:
    """`assistplan.yaml`."""
    body = ProjectConfig.model_json_schema(by_alias=True)
    return {"$schema": DIALECT, "title": "assistplan.yaml", **body}
