"""`validate`, `schema` and `init` through the command itself: exit codes, output, and what gets imported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from syrupy.assertion import SnapshotAssertion

from assistplan.cli import cli
from assistplan.manifest.schema import config_schema, manifest_schema

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "assistants"

BROKEN = {
    "assistplan.yaml": "project: demo\nvars: {model: gpt-5}\n",
    "agents/support.yaml": """
    # yaml-language-server: $schema=../manifest.schema.json
    kind: Agent
    name: support
    model: "{{ vars.model }}"
    modle: gpt-5
    tools:
      - function: get_order_status
      - type: web_search
        context_size: huge
    """,
    "functions.yaml": """
    kind: Function
    name: get_order_status
    description: Look up an order.
    strict: true
    parameters:
      type: object
      properties:
        order_id: {type: string}
        limit: {type: integer}
      required: [order_id]
      additionalProperties: false
    """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"))


def test_validate_the_repository_examples(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "The manifests in assistants are valid: project acme-support, 10 resources (1 Function, 1 Skill, 1 Vault, "
        "1 VectorStore, 1 Assistant, 1 EnvironmentTemplate, 1 VaultCredential, 1 Agent, 1 Automation, "
        "1 ConversationTest).\n"
    )
    flowise = runner.invoke(cli, ["--chdir", "assistants/flowise", "validate"])
    assert flowise.exit_code == 0, flowise.output
    assert "project acme-support-flowise, 13 resources" in flowise.stdout


def test_validate_reports_every_error_and_exits_1(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text_snapshot: SnapshotAssertion
) -> None:
    write(tmp_path / "assistants", BROKEN)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr == text_snapshot


def test_root_is_chdir_then_assistants_then_the_working_directory(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"assistplan.yaml": "project: here\n"})
    write(tmp_path / "assistants", {"assistplan.yaml": "project: nested\n"})
    write(tmp_path / "other", {"assistplan.yaml": "project: other\n"})
    monkeypatch.chdir(tmp_path)
    assert "project nested" in runner.invoke(cli, ["validate"]).stdout
    assert "project other" in runner.invoke(cli, ["--chdir", "other", "validate"]).stdout
    shutil.rmtree(tmp_path / "assistants")
    assert "project here" in runner.invoke(cli, ["validate"]).stdout


def test_a_var_file_outside_the_root_is_reported_without_its_lines(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "project", {"assistplan.yaml": "project: t\n"})
    (tmp_path / "environ").write_text("OPENAI_API_KEY=sk-secret-1234\0PATH=/bin\n")
    monkeypatch.chdir(tmp_path / "project")

    result = runner.invoke(cli, ["validate", "--var-file", "../environ"])

    assert result.exit_code == 1
    assert "../environ:1:30: error: invalid YAML" in result.stderr
    assert "sk-secret-1234" not in result.stderr


def test_a_var_file_inside_the_root_is_reported_with_its_lines(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"assistplan.yaml": "project: t\n", "vars/prod.vars": "- a list\n"})
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(cli, ["validate", "--var-file", "vars/prod.vars"])

    assert result.exit_code == 1
    assert "    1 | - a list" in result.stderr


def test_vars_and_var_files(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path,
        {
            "assistplan.yaml": "project: t\n",
            "a.yaml": "kind: Agent\nname: a\nmodel: m\nservice_tier: {{ vars.tier }}\n",
        },
    )
    (tmp_path / "prod.vars").write_text("tier: priority\n")
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["validate", "--var", "tier=flex"]).exit_code == 0
    assert runner.invoke(cli, ["validate", "--var-file", "prod.vars"]).exit_code == 0
    wrong = runner.invoke(cli, ["validate", "--var-file", "prod.vars", "--var", "tier=slow"])
    assert wrong.exit_code == 1
    assert 'a.yaml:4:15: error: service_tier: invalid value "slow"' in wrong.stderr
    missing = runner.invoke(cli, ["validate"])
    assert 'a.yaml:4:15: error: template error: undefined variable "vars.tier"' in missing.stderr
    usage = runner.invoke(cli, ["validate", "--var", "no-equals-sign"])
    assert usage.exit_code == 1
    assert "expected K=V" in usage.stderr


def test_missing_root(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--chdir", str(tmp_path / "nowhere"), "validate"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no assistplan.yaml in ")
    assert result.stderr.endswith("create one with `assistplan init`\n1 error\n")


def test_init_scaffolds_a_project_that_validates(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    created = runner.invoke(cli, ["init", "acme-bots"])
    assert created.exit_code == 0, created.output
    next_step = "  assistplan --chdir acme-bots validate\n"
    assert created.stdout == f"Created a manifest root in acme-bots (7 files and a .gitignore). Next:\n{next_step}"
    assert "project: acme-bots\n" in (tmp_path / "acme-bots" / "assistplan.yaml").read_text()
    validated = runner.invoke(cli, ["--chdir", "acme-bots", "validate"])
    assert validated.exit_code == 0, validated.output
    assert "4 resources (1 Function, 1 VectorStore, 1 Assistant, 1 Agent)" in validated.stdout


def test_init_defaults_to_assistants_named_after_the_parent(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Acme Shop").mkdir()
    monkeypatch.chdir(tmp_path / "Acme Shop")
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert "project: acme-shop\n" in Path("assistants/assistplan.yaml").read_text()
    assert runner.invoke(cli, ["validate"]).exit_code == 0


def test_init_never_overwrites(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "bots", {"agent.yaml": "mine\n"})
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["init", "bots"])
    assert result.exit_code == 1
    assert result.stderr == "Error: init never overwrites files, and these exist already:\n  bots/agent.yaml\n"
    assert sorted(p.name for p in (tmp_path / "bots").iterdir()) == ["agent.yaml"]
    assert (tmp_path / "bots" / "agent.yaml").read_text() == "mine\n"


def test_schema_prints_the_manifest_schema(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == manifest_schema()
    assert json.loads(runner.invoke(cli, ["schema", "--config"]).stdout) == config_schema()


def test_committed_schema_is_up_to_date() -> None:
    committed = json.loads((REPO / "docs" / "manifest.schema.json").read_text())
    assert committed == manifest_schema(), "regenerate it: assistplan schema > docs/manifest.schema.json"


def console_script() -> str:
    script = Path(sys.executable).parent / "assistplan"
    found = str(script) if script.exists() else shutil.which("assistplan")
    assert found, "the assistplan console script is not installed"
    return found


def test_console_script(tmp_path: Path) -> None:
    write(tmp_path / "assistants", BROKEN)
    ok = subprocess.run([console_script(), "validate"], cwd=REPO, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    broken = subprocess.run([console_script(), "validate"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert broken.returncode == 1
    assert broken.stderr.startswith('assistants/agents/support.yaml:5:1: error: unknown field "modle"')
    assert broken.stderr.endswith("3 errors\n")


IMPORT_CHECK = """
import sys
from assistplan.cli import main
sys.argv = ["assistplan", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = {"openai", "starlette", "uvicorn", "httpx", "httpx2"}
print(sorted({name.split(".")[0] for name in sys.modules} & heavy), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "arguments",
    [["--help"], ["--version"], ["validate"], ["--chdir", "broken", "validate"], ["validate", "--help"]],
    ids=["help", "version", "validate", "validate-with-errors", "validate-help"],
)
def test_light_commands_do_not_import_sdk_or_http_clients(tmp_path: Path, arguments: list[str]) -> None:
    write(tmp_path / "broken", BROKEN)
    shutil.copytree(EXAMPLES, tmp_path / "assistants")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK, *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.stderr.splitlines()[-1] == "[]", run.stderr


@pytest.mark.parametrize(
    "manifest",
    sorted(
        p
        for p in [*EXAMPLES.rglob("*.yaml"), *(REPO / "src/assistplan/scaffold").rglob("*.yaml")]
        if p.name != "assistplan.yaml"
    ),
    ids=lambda path: path.relative_to(REPO).as_posix(),
)
def test_examples_follow_the_editor_schema(manifest: Path) -> None:
    import yaml
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(manifest_schema())
    for document in yaml.safe_load_all(manifest.read_text()):
        assert [error.message for error in validator.iter_errors(document)] == []


@pytest.mark.parametrize(
    "config",
    [EXAMPLES / "assistplan.yaml", REPO / "src/assistplan/scaffold/assistplan.yaml"],
    ids=["examples", "scaffold"],
)
def test_project_files_follow_the_config_schema(config: Path) -> None:
    import yaml
    from jsonschema import Draft202012Validator

    document = yaml.safe_load(config.read_text())
    assert [error.message for error in Draft202012Validator(config_schema()).iter_errors(document)] == []


def test_a_literal_flowise_secret_is_refused_without_showing_its_line(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "assistplan.yaml").write_text("project: p\nflowise: {url: 'http://127.0.0.1:9'}\n")
    (root / "c.yaml").write_text(
        "kind: FlowiseCredential\nname: c\ncredential: openAIApi\nsecrets: {openAIApiKey: hunter2-literal}\n"
    )

    result = CliRunner().invoke(cli, ["--chdir", str(root), "validate"])

    assert result.exit_code == 1
    assert "c.yaml:4:" in result.output
    assert "hunter2-literal" not in result.output
