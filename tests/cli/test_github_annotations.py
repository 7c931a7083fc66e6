"""In GitHub Actions (`GITHUB_ACTIONS=true`) diagnostics and errors are also printed as workflow commands, which
GitHub shows as annotations on the files of a pull request; elsewhere they are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistplan.cli import cli
from assistplan.diagnostics import Diagnostic, Diagnostics, Severity, SourcePos, SourceRange
from assistplan.github.comments import failure_comment
from assistplan.render.diagnostics import render_annotations

AGENT = "kind: Agent\nname: support\nmodel: [gpt-5]\ninstructions: You answer order questions.\n"


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checked-out repository with an invalid manifest in `assistants/`, as the working directory."""
    root = tmp_path / "assistants"
    root.mkdir()
    (root / "assistplan.yaml").write_text("project: annotated\nopenai:\n  base_url: sandbox\n", encoding="utf-8")
    (root / "agents.yaml").write_text(AGENT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_in_github_actions_diagnostics_become_error_annotations_beside_the_normal_output(
    runner: CliRunner, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repository))

    result = runner.invoke(cli, ["validate"])

    assert result.exit_code == 1
    assert "assistants/agents.yaml:3:8: error: " in result.stderr
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith(
        "::error file=assistants/agents.yaml,line=3,col=8,endLine=3,endColumn=15,title=assistplan::"
    )
    assert result.stdout == ""


def test_annotations_name_files_relative_to_the_repository_when_run_from_elsewhere(
    runner: CliRunner, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repository))
    monkeypatch.chdir(repository / "assistants")

    result = runner.invoke(cli, ["--chdir", ".", "validate"])

    assert "\n::error file=assistants/agents.yaml,line=3,col=8," in result.stderr


def test_outside_github_actions_there_are_no_annotations(runner: CliRunner, repository: Path) -> None:
    result = runner.invoke(cli, ["validate"])

    assert result.exit_code == 1
    assert "::error" not in result.output


def test_an_error_without_a_place_is_an_annotation_of_the_run(
    runner: CliRunner, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (repository / "assistants" / "agents.yaml").write_text(AGENT.replace("[gpt-5]", "gpt-5"), encoding="utf-8")
    assert runner.invoke(cli, ["apply", "--auto-approve"]).exit_code == 0

    result = runner.invoke(cli, ["state", "show", "Agent/nobody"])

    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: Agent/nobody is not in the state\n::error title=assistplan::Agent/nobody is not in the state\n"
    )


def test_warnings_are_warning_annotations_and_messages_are_escaped() -> None:
    where = SourceRange(SourcePos("assistants/a,b.yaml", 2, 1))
    diagnostics = Diagnostics([Diagnostic(Severity.WARNING, "100% of: this", detail="first\nsecond", range=where)])

    assert render_annotations(diagnostics) == (
        "::warning file=assistants/a%2Cb.yaml,line=2,col=1,title=assistplan::100%25 of: this%0Afirst%0Asecond\n"
    )


def test_the_failure_comment_leaves_the_annotation_lines_out() -> None:
    annotation = "::error file=agents.yaml,line=3,col=8,title=assistplan::bad model\n"
    log = f"agents.yaml:3:8: error: bad model\n{annotation}1 error\n"

    comment = failure_comment("annotated", log)

    assert "bad model" in comment
    assert "::error" not in comment
