"""Fuzzing the loader: whatever is in a manifest file, loading gives a Project or diagnostics, never an exception."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistplan.errors import ManifestError
from assistplan.manifest import load_project
from assistplan.manifest.models import spec_types

SPEC_TYPES = spec_types()

FIELD_NAMES = sorted(
    ({name for model in SPEC_TYPES.values() for name in model.model_fields} | {"async", "schema"}) - {"kind", "name"}
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["auto", "gpt-5", "function", "web_search", "*.md", "../x", "{{ vars.x }}", "{% if %}"]),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), children, max_size=5)
    ),
    max_leaves=20,
)
manifests = st.fixed_dictionaries(
    {"kind": st.sampled_from([*SPEC_TYPES, "Nope"]), "name": st.one_of(st.text(max_size=10), st.just("x"))},
    optional=dict.fromkeys(FIELD_NAMES, values),
)


def load(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "assistplan.yaml").write_text("project: fuzz\nflowise: {url: http://127.0.0.1:3000}\n")
        for name, content in files.items():
            (root / name).write_bytes(content)
        try:
            load_project(root, environ={})
        except ManifestError as error:
            assert error.diagnostics.has_errors


@SETTINGS
@given(st.lists(st.one_of(manifests, values), min_size=1, max_size=4))
def test_arbitrary_yaml_documents(documents: list[Any]) -> None:
    load({"m.yaml": yaml.safe_dump_all(documents, allow_unicode=True).encode()})


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(content: bytes) -> None:
    load({"m.yaml": content})


@SETTINGS
@given(
    st.lists(
        st.sampled_from(
            [
                "kind: Agent",
                "name: a",
                "model: gpt-5",
                "{% if true %}",
                "{% endif %}",
                "{{ vars.x }}",
                "{{",
                "}}",
                "  - a",
                "tools:",
                "- type: mcp",
                "&a [*a]",
                "<<: *b",
                "---",
                "\t",
                ":",
                "{%- raw %}",
                "{# c #}",
            ]
        ),
        max_size=12,
    ).map("\n".join)
)
def test_arbitrary_template_fragments(text: str) -> None:
    load({"m.yaml": text.encode()})


@SETTINGS
@given(st.binary(max_size=200), st.binary(max_size=200))
def test_arbitrary_assistplan_yaml_and_schema_file(config: bytes, schema: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "assistplan.yaml").write_bytes(config)
        (root / "f.yaml").write_text("kind: Function\nname: f\ndescription: d\nstrict: true\nparameters_file: s.json\n")
        (root / "s.json").write_bytes(schema)
        try:
            load_project(root, environ={})
        except ManifestError as error:
            assert error.diagnostics.has_errors
