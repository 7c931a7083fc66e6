"""One test per hostile-input defect that was found: what it did, and what it does now."""

from __future__ import annotations

import os
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistplan import kinds
from assistplan.addrs import Address
from assistplan.cli import cli
from assistplan.diagnostics import Diagnostic, Diagnostics, SourcePos, SourceRange
from assistplan.errors import ManifestError
from assistplan.manifest import load_project
from assistplan.render.diagnostics import render_diagnostics

SECRET = "sk-regression-secret-0123456789"


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")


def validate(root: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--chdir", str(root), "validate"], env=env, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def root(tmp_path: Path) -> Path:
    made = tmp_path / "root"
    made.mkdir()
    write(made, {"assistplan.yaml": "project: regression\n"})
    return made


FUNCTION = "kind: Function\nname: f\ndescription: d\nparameters: {type: object}\n"


def test_a_file_key_in_metadata_is_data_and_the_manifest_it_names_stays_a_manifest(root: Path) -> None:
    store = "kind: VectorStore\nname: kb\nfiles: [a.md]\nmetadata: {x_file: other.yaml, notes_file: f.yaml}\n"
    other = FUNCTION.replace("name: f", "name: g")
    write(root, {"kb.yaml": store, "a.md": "a", "other.yaml": other, "f.yaml": FUNCTION})
    project = load_project(root, environ={})
    assert set(project.resources) == {Address("VectorStore", "kb"), Address("Function", "f"), Address("Function", "g")}
    assert project.resources[Address("VectorStore", "kb")].spec.metadata == {
        "x_file": "other.yaml",
        "notes_file": "f.yaml",
    }


def test_a_file_key_inside_a_json_schema_is_data(root: Path) -> None:
    schema = "parameters: {type: object, properties: {template_file: {type: string, default: f.yaml}}}\n"
    write(root, {"s.yaml": "kind: Function\nname: s\ndescription: d\n" + schema, "f.yaml": FUNCTION})
    assert Address("Function", "f") in load_project(root, environ={}).resources


def test_a_declared_file_field_still_makes_its_yaml_file_content(root: Path) -> None:
    function = "kind: Function\nname: f\ndescription: d\nparameters_file: schema.yaml\n"
    write(root, {"f.yaml": function, "schema.yaml": "type: object\n"})
    assert load_project(root, environ={}).resources[Address("Function", "f")].spec.parameters == {"type": "object"}


def test_a_link_to_proc_environ_never_prints_the_environment(root: Path) -> None:
    os.symlink("/proc/self/environ", root / "env.yaml")
    code, output = validate(root, env={"OPENAI_API_KEY": SECRET})
    assert code == 1
    assert "env.yaml:1:1: error: " in output
    assert 'env.yaml" is outside the manifest root (through a symbolic link)' in output
    assert SECRET not in output


def test_an_excerpt_is_never_read_from_a_file_the_loader_refused() -> None:
    diagnostics = Diagnostics()
    diagnostics.source("env.yaml", None)
    diagnostics.add(Diagnostic.error("refused", range=SourceRange(SourcePos("env.yaml", 1, 1))))
    shown = render_diagnostics(diagnostics, lambda name: [f"OPENAI_API_KEY={SECRET}"])
    assert shown == "env.yaml:1:1: error: refused\n1 error\n"


def test_the_state_path_outside_the_root_is_refused_and_no_lock_is_made_there(root: Path, tmp_path: Path) -> None:
    write(root, {"assistplan.yaml": "project: regression\nstate: ../state.json\n", "f.yaml": FUNCTION})
    result = CliRunner().invoke(cli, ["--chdir", str(root), "plan"], catch_exceptions=False)
    assert result.exit_code == 1
    assert 'assistplan.yaml:2:8: error: state: "../state.json" is outside the manifest root' in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["root"]


def test_a_state_folder_linked_outside_the_root_is_refused(root: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", root / ".assistplan")
    write(root, {"f.yaml": FUNCTION})
    with pytest.raises(ManifestError) as caught:
        load_project(root, environ={})
    assert [d.summary for d in caught.value.diagnostics] == [
        'state: ".assistplan/state.json" is outside the manifest root (through a symbolic link)'
    ]
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_env_refuses_the_api_key_variable_and_points_to_the_reference_syntax(root: Path) -> None:
    write(root, {"f.yaml": FUNCTION.replace("description: d", "description: \"{{ env('OPENAI_API_KEY') }}\"")})
    code, output = validate(root, env={"OPENAI_API_KEY": SECRET})
    assert code == 1
    assert 'f.yaml:3:15: error: template error: env("OPENAI_API_KEY") refused' in output
    assert "write {env: OPENAI_API_KEY} instead" in output
    assert SECRET not in output


@pytest.mark.parametrize("name", ["SERVICE_KEY", "api_token", "ClientSecret", "DB_PASSWORD"])
def test_env_refuses_variables_whose_names_say_they_are_secrets(root: Path, name: str) -> None:
    write(root, {"f.yaml": FUNCTION.replace("description: d", f"description: \"{{{{ env('{name}', 'x') }}}}\"")})
    with pytest.raises(ManifestError, match="1 error"):
        load_project(root, environ={name: SECRET})


def test_env_still_reads_ordinary_variables(root: Path) -> None:
    write(root, {"f.yaml": FUNCTION.replace("description: d", "description: \"{{ env('REGION') }}\"")})
    resource = load_project(root, environ={"REGION": "eu"}).resources[Address("Function", "f")]
    assert resource.spec.description == "eu"


def test_at_most_one_hundred_diagnostics_are_printed_with_the_rest_counted() -> None:
    diagnostics = Diagnostics()
    for line in range(1, 251):
        diagnostics.add(Diagnostic.error("bad", range=SourceRange(SourcePos("m.yaml", line, 1))))
    lines = render_diagnostics(diagnostics, lambda name: None).splitlines()
    assert len([line for line in lines if ": error: " in line]) == 100
    assert lines[-2:] == ["... and 150 more errors", "250 errors"]


def test_lone_surrogates_are_refused_at_their_position(root: Path) -> None:
    write(root, {"f.yaml": FUNCTION.replace("description: d", 'description: "ok \\ud800"')})
    with pytest.raises(ManifestError) as caught:
        load_project(root, environ={})
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.range.start.line, diagnostic.range.start.col) == (3, 14)
    assert "lone surrogate (U+D800)" in diagnostic.summary


def test_an_empty_upload_file_is_refused_at_validate(root: Path) -> None:
    write(root, {"kb.yaml": "kind: VectorStore\nname: kb\nfiles: [empty.md]\n", "empty.md": ""})
    code, output = validate(root)
    assert code == 1
    assert 'kb.yaml:3:9: error: files[0]: "empty.md" is empty: the API refuses empty files' in output


def test_file_search_refuses_types_it_cannot_index(root: Path) -> None:
    write(root, {"kb.yaml": "kind: VectorStore\nname: kb\nfiles: [a.md, b.zip]\n", "a.md": "a", "b.zip": "PK"})
    code, output = validate(root)
    assert code == 1
    assert 'kb.yaml:3:15: error: files[1]: "b.zip": file_search cannot index this type of file' in output


def test_a_vector_store_over_two_thousand_files_is_refused_before_reading_them(root: Path) -> None:
    (root / "docs").mkdir()
    for index in range(2001):
        (root / "docs" / f"{index}.md").write_text("x")
    write(root, {"kb.yaml": "kind: VectorStore\nname: kb\nfiles: [docs/*.md]\n"})
    code, output = validate(root)
    assert code == 1
    assert "kb.yaml:3:1: error: files: 2001 files, at most 2000" in output


def test_a_ref_cycle_is_refused_where_it_closes(root: Path) -> None:
    parameters = 'parameters: {type: object, $defs: {x: {$ref: "#/$defs/y"}, y: {$ref: "#/$defs/x"}}}\n'
    write(root, {"f.yaml": "kind: Function\nname: f\ndescription: d\n" + parameters})
    code, output = validate(root)
    assert code == 1
    assert "$ref cycle that never reaches a schema: #/$defs/x -> #/$defs/y -> #/$defs/x" in output


def test_twenty_thousand_errors_are_all_counted(root: Path) -> None:
    bad = "".join(f"bad{index}: 1\n" for index in range(20))
    documents = "".join(f"---\nkind: FlowiseVariable\nname: v{i}\n{bad}" for i in range(1000))
    flowise = "project: regression\nflowise: {url: http://127.0.0.1:9}\n"
    write(root, {"assistplan.yaml": flowise, "e.yaml": documents})
    code, output = validate(root)
    assert code == 1
    assert output.splitlines()[-2:] == ["... and 19900 more errors", "20000 errors"]


def test_a_kind_written_as_its_module_names_it_is_an_unknown_kind_not_a_crash(root: Path) -> None:
    # was: RuntimeError "assistplan.kinds.agents does not register the kind agent", with a traceback
    names = [module.name[:-1] for module in pkgutil.iter_modules(kinds.__path__) if module.name.endswith("s")]
    assert "agent" in names and "blob" in names
    write(root, {f"m{index}.yaml": f"kind: {name}\nname: x\n" for index, name in enumerate(names)})

    code, output = validate(root)

    assert code == 1
    assert output.count("unknown kind") == len(names)
