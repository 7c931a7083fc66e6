"""EnvironmentTemplate manifests: every limit and reference error is a positioned validate error; a literal env value
is refused without being repeated."""

from __future__ import annotations

import pytest

from .conftest import Failing, Loader

CONFIG = "project: test\nopenai: {api_key_env: OPENAI_API_KEY}\n"


def template(body: str) -> dict[str, str]:
    return {"assistplan.yaml": CONFIG, "t.yaml": "kind: EnvironmentTemplate\nname: tools\n" + body}


def test_a_complete_template_loads(load: Loader) -> None:
    files = template(
        """\
packages: {python: [pandas]}
network: {access: restricted, blocked_domains: [ads.example]}
env: {TOKEN: {env: TOOLS_TOKEN}}
setup_commands: [{command: make setup}]
files:
  - {file: rates, path: /workspace/rates.csv}
  - {source: notes.txt, path: /workspace/notes.txt}
"""
    )
    files["f.yaml"] = "kind: File\nname: rates\npath: rates.csv\npurpose: user_data\n"
    files["rates.csv"] = "a,b\n"
    files["notes.txt"] = "hello\n"

    project = load(files)

    assert [str(address) for address in project.resources] == ["File/rates", "EnvironmentTemplate/tools"]
    assert [str(d) for d in project.resources["EnvironmentTemplate/tools"].depends_on] == ["File/rates"]  # type: ignore[index]


def test_a_literal_env_value_is_refused_without_repeating_it(failing: Failing) -> None:
    [line] = failing(template("env: {TOKEN: hunter2-secret}\n"))

    assert line.startswith("t.yaml:3:7: env.TOKEN: env values come only from environment variables")
    assert "hunter2-secret" not in line


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "files: [{source: notes.txt, path: /tmp/notes.txt}]\n",
            "t.yaml:3:29: files[0].path: must be an absolute path",
        ),
        ("files: [{source: notes.txt, path: /workspace/../x}]\n", "t.yaml:3:29: files[0].path: must be an absolute"),
        (
            "files: [{source: notes.txt, path: /workspace/outputs/x}]\n",
            "t.yaml:3:29: files[0].path: /workspace/outputs",
        ),
        ("files: [{source: notes.txt, path: /workspace/.codex/x}]\n", "t.yaml:3:29: files[0].path: /workspace/.codex"),
        ("files: [{path: /workspace/x}]\n", 't.yaml:3:9: files[0]: give exactly one of "file"'),
        ("network: {access: enabled, blocked_domains: [a.example]}\n", "t.yaml:3:28: network.blocked_domains: needs"),
        ("setup_commands: [" + ", ".join(["{command: x}"] * 17) + "]\n", "t.yaml:3:1: setup_commands: 17 setup"),
        ("skills: [" + ", ".join(["{skill: s}"] * 201) + "]\n", "t.yaml:3:1: skills: 201 skills, at most 200"),
        ("skills: [{skill: s, version: 0}]\n", "t.yaml:3:30: skills[0].version"),
    ],
)
def test_limits_and_paths_are_positioned_errors(failing: Failing, body: str, expected: str) -> None:
    lines = failing({**template(body), "notes.txt": "hello\n"})

    assert lines[0].startswith(expected), lines


def test_too_many_files_is_an_error(failing: Failing) -> None:
    entries = ", ".join(f"{{source: notes.txt, path: /workspace/f{index}}}" for index in range(51))

    lines = failing({**template(f"files: [{entries}]\n"), "notes.txt": "hello\n"})

    assert lines == ["t.yaml:3:1: files: 51 files, at most 50"]


def test_an_unknown_file_suggests_the_closest_name(failing: Failing) -> None:
    files = template("files: [{file: rate, path: /workspace/rates.csv}]\n")
    files["f.yaml"] = "kind: File\nname: rates\npath: rates.csv\npurpose: user_data\n"
    files["rates.csv"] = "a,b\n"

    assert failing(files) == ['t.yaml:3:16: files[0].file: unknown File "rate" (did you mean "rates"?)']


def test_a_file_uploaded_for_another_purpose_is_an_error(failing: Failing) -> None:
    files = template("files: [{file: rates, path: /workspace/rates.csv}]\n")
    files["f.yaml"] = "kind: File\nname: rates\npath: rates.csv\n"
    files["rates.csv"] = "a,b\n"

    assert failing(files) == [
        't.yaml:3:16: files[0].file: File "rates" has purpose assistants; environment files need user_data'
    ]


def test_a_missing_local_file_is_an_error(failing: Failing) -> None:
    assert failing(template("files: [{source: missing.txt, path: /workspace/m.txt}]\n")) == [
        't.yaml:3:18: files[0].source: file not found: "missing.txt"'
    ]


def test_an_empty_local_file_is_an_error_at_its_source(failing: Failing) -> None:
    files = template("files:\n  - {path: /workspace/e.txt, source: empty.txt}\n")
    files["empty.txt"] = ""

    assert failing(files) == ['t.yaml:4:38: files[0].source: "empty.txt" is empty: the API refuses empty files']


def test_an_unknown_skill_is_an_error(failing: Failing) -> None:
    assert failing(template("skills: [{skill: csv-tools, version: latest}]\n")) == [
        't.yaml:3:18: skills[0].skill: unknown Skill "csv-tools"'
    ]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0", "skills[0].version: must be at least 1, got 0"),
        ("lates", "skills[0].version: invalid value \"lates\": expected 'latest'"),
    ],
)
def test_a_wrong_skill_version_is_one_error_of_the_branch_of_its_type(
    failing: Failing, version: str, expected: str
) -> None:
    files = {**template(f"skills: [{{skill: csv-tools, version: {version}}}]\n")}

    assert failing(files) == [f"t.yaml:3:38: {expected}"]
