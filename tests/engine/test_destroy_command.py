"""`destroy` speaks of destroying: its closing line, its prompt (asked on a terminal) and its cancellation."""

from __future__ import annotations

from conftest import Project
from terminal import on_a_terminal


def applied(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def test_destroy_reports_how_many_objects_it_destroyed(project: Project) -> None:
    applied(project)

    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Plan: 0 to add, 0 to change, 7 to destroy." in result.output
    assert "Destroy complete! Resources: 7 destroyed." in result.output
    assert "Apply complete" not in result.output


def test_the_destroy_prompt_shows_no_empty_default_and_a_refusal_cancels_the_destroy(project: Project) -> None:
    applied(project)

    written = on_a_terminal(project.root, "destroy", answer="no", env={"NO_COLOR": "1"})

    assert "assistplan will destroy every object of this project." in written
    assert "  Enter a value: no\n" in written
    assert "[]" not in written
    assert "Destroy cancelled." in written
    assert len(project.state()["resources"]) == 4


def test_the_apply_prompt_shows_no_empty_default(project: Project) -> None:
    written = on_a_terminal(project.root, "apply", answer="no", env={"NO_COLOR": "1"})

    assert "  Enter a value: no\n" in written
    assert "[]" not in written
    assert "Apply cancelled." in written
