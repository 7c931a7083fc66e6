"""`--no-color` and NO_COLOR: on a terminal, where assistplan styles its output, every command prints plain text."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal import on_a_terminal

ESCAPE = "\x1b["
KEY_ENV = "ASSISTPLAN_TEST_NO_COLOR_KEY"
AGENT = "kind: Agent\nname: support\nmodel: gpt-5\ninstructions: You answer order questions.\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    made = tmp_path / "assistants"
    made.mkdir()
    config = f"project: no-color-test\nopenai:\n  base_url: sandbox\n  api_key_env: {KEY_ENV}\n"
    (made / "assistplan.yaml").write_text(config, encoding="utf-8")
    (made / "agents.yaml").write_text(AGENT, encoding="utf-8")
    return made


def break_manifest(root: Path) -> None:
    (root / "agents.yaml").write_text(AGENT.replace("model: gpt-5", "model: [gpt-5]"), encoding="utf-8")


def test_on_a_terminal_the_plan_and_errors_are_styled(root: Path) -> None:
    planned = on_a_terminal(root, "plan")
    break_manifest(root)
    invalid = on_a_terminal(root, "validate")

    assert ESCAPE in planned
    assert ESCAPE in invalid


def test_no_color_prints_the_plan_without_styles(root: Path) -> None:
    planned = on_a_terminal(root, "--no-color", "plan")

    assert "# Agent/support will be created" in planned
    assert ESCAPE not in planned


def test_no_color_prints_diagnostics_without_styles(root: Path) -> None:
    break_manifest(root)

    invalid = on_a_terminal(root, "--no-color", "validate")

    assert "agents.yaml:3:8: error:" in invalid
    assert ESCAPE not in invalid


def test_no_color_prints_errors_and_the_apply_report_without_styles(root: Path) -> None:
    applied = on_a_terminal(root, "--no-color", "apply", "--auto-approve")
    missing = on_a_terminal(root, "--no-color", "state", "show", "Agent/nobody")

    assert "Apply complete!" in applied
    assert "Error: Agent/nobody is not in the state" in missing
    assert ESCAPE not in applied + missing


def test_the_no_color_variable_turns_styles_off_for_every_command(root: Path) -> None:
    planned = on_a_terminal(root, "plan", env={"NO_COLOR": "1"})
    break_manifest(root)
    invalid = on_a_terminal(root, "validate", env={"NO_COLOR": "1"})

    assert "# Agent/support will be created" in planned
    assert ESCAPE not in planned + invalid
