"""The API key never reaches output, the state file, the backup or a saved plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import KEY_ENV, Project

SECRET = "sk-proj-SECRET-do-not-print-4242"


def test_the_api_key_appears_in_no_output_state_or_plan_file(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    planfile = tmp_path / "plan.json"
    outputs = [
        project.run("plan", "--out", str(planfile)),
        project.run("plan", "--format", "json"),
        project.run("plan", "--format", "markdown"),
        project.run("apply", str(planfile)),
        project.run("state", "pull"),
        project.run("output", "--format", "json"),
    ]

    assert all(result.exit_code == 0 for result in outputs), [r.output for r in outputs]
    written = [p.read_text() for p in project.state_path.parent.iterdir() if p.is_file()] + [planfile.read_text()]
    assert not [text for text in [r.output for r in outputs] + written if SECRET in text]


def test_a_missing_api_key_names_the_variable_not_a_value(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)

    result = project.run("plan")

    assert result.exit_code == 1
    assert f"the environment variable {KEY_ENV} is not set" in result.output
    assert "Traceback" not in result.output
