"""`state show` and `state rm` of an address the state does not record: a plain message and exit 1."""

from __future__ import annotations

from conftest import Project


def test_state_show_of_a_missing_address_says_so_plainly(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0

    result = project.run("state", "show", "Agent/nobody")

    assert result.exit_code == 1
    assert result.output == "Error: Agent/nobody is not in the state\n"


def test_state_rm_of_a_missing_address_says_so_plainly(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0

    result = project.run("state", "rm", "Agent/nobody")

    assert result.exit_code == 1
    assert result.output == "Error: Agent/nobody is not in the state\n"
    assert len(project.state()["resources"]) == 4


def test_state_show_of_a_word_without_a_slash_is_a_usage_error_asking_for_kind_slash_name(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0

    result = project.run("state", "show", "nobody")

    assert result.exit_code == 1
    assert "'nobody' is not an address: expected Kind/name, for example Agent/support" in result.output
    assert "nobody/" not in result.output
