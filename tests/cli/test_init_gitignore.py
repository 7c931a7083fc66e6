"""`init` keeps assistplan's local files (the state folder and the sandbox's database) out of git with a .gitignore,
never rewriting one that exists."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistplan.cli import cli


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_a_gitignore_for_the_state_folder(runner: CliRunner, here: Path) -> None:
    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 0, result.output
    assert (here / "bots" / ".gitignore").read_text(encoding="utf-8") == (
        "# assistplan's local files: the state (with its backup, journal and lock) and the sandbox's database\n"
        ".assistplan/\n"
    )


def test_init_appends_to_an_existing_gitignore_without_changing_its_lines(runner: CliRunner, here: Path) -> None:
    (here / "bots").mkdir()
    (here / "bots" / ".gitignore").write_text("*.log\n!keep.log", encoding="utf-8")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 0, result.output
    assert "(7 files; .assistplan/ added to the .gitignore)" in result.stdout
    assert (here / "bots" / ".gitignore").read_text(encoding="utf-8").splitlines() == [
        "*.log",
        "!keep.log",
        "# assistplan's local files: the state (with its backup, journal and lock) and the sandbox's database",
        ".assistplan/",
    ]


def test_init_leaves_a_gitignore_that_already_ignores_the_state_folder_as_it_is(runner: CliRunner, here: Path) -> None:
    (here / "bots").mkdir()
    (here / "bots" / ".gitignore").write_text("/.assistplan\n", encoding="utf-8")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 0, result.output
    assert "(7 files). Next:" in result.stdout
    assert (here / "bots" / ".gitignore").read_text(encoding="utf-8") == "/.assistplan\n"


def test_after_an_apply_git_sees_no_state_or_sandbox_database_to_commit(runner: CliRunner, here: Path) -> None:
    subprocess.run(["git", "init", "-q", str(here)], check=True)
    assert runner.invoke(cli, ["init", "bots"]).exit_code == 0
    applied = runner.invoke(cli, ["--chdir", "bots", "apply", "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    assert (here / "bots" / ".assistplan" / "state.json").exists()
    assert (here / "bots" / ".assistplan" / "sandbox.sqlite3").exists()

    listed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=here, capture_output=True, text=True, check=True
    )

    untracked = [line[3:] for line in listed.stdout.splitlines()]
    assert "bots/.gitignore" in untracked
    assert not [name for name in untracked if ".assistplan" in name]
