"""`init` keeps assistplan's local files (the state folder and the sandbox's database) out of git with a .gitignore,
never rewriting one that exists."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

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


def test_init_never_appends_to_a_gitignore_that_links_outside_the_root(runner: CliRunner, here: Path) -> None:
    (here / "shared-ignore").write_text("*.log\n", encoding="utf-8")
    (here / "bots").mkdir()
    (here / "bots" / ".gitignore").symlink_to("../shared-ignore")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == "Error: bots/.gitignore is a symbolic link, and init never writes through one\n"
    assert (here / "shared-ignore").read_text(encoding="utf-8") == "*.log\n"
    assert [path.name for path in (here / "bots").iterdir()] == [".gitignore"]


def test_init_never_creates_a_gitignore_through_a_dangling_link(runner: CliRunner, here: Path) -> None:
    (here / "bots").mkdir()
    (here / "bots" / ".gitignore").symlink_to("../outside-ignore")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == "Error: bots/.gitignore is a symbolic link, and init never writes through one\n"
    assert sorted(path.name for path in here.iterdir()) == ["bots"]
    assert [path.name for path in (here / "bots").iterdir()] == [".gitignore"]


def test_init_refuses_a_folder_for_a_gitignore_before_writing_anything(runner: CliRunner, here: Path) -> None:
    (here / "bots" / ".gitignore").mkdir(parents=True)

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == "Error: bots/.gitignore is not a regular file\n"
    assert [path.name for path in (here / "bots").iterdir()] == [".gitignore"]


def test_init_refuses_a_gitignore_that_is_not_utf8_before_writing_anything(runner: CliRunner, here: Path) -> None:
    (here / "bots").mkdir()
    (here / "bots" / ".gitignore").write_bytes(b"*.log\n\xff\n")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == "Error: bots/.gitignore is not UTF-8 text (invalid start byte at byte 6)\n"
    assert (here / "bots" / ".gitignore").read_bytes() == b"*.log\n\xff\n"
    assert [path.name for path in (here / "bots").iterdir()] == [".gitignore"]


def test_init_refuses_a_fifo_for_a_gitignore_without_waiting_on_it(runner: CliRunner, here: Path) -> None:
    (here / "bots").mkdir()
    os.mkfifo(here / "bots" / ".gitignore")
    outcome: list[Result] = []

    running = threading.Thread(target=lambda: outcome.append(runner.invoke(cli, ["init", "bots"])), daemon=True)
    running.start()
    running.join(timeout=60)  # a bound, not a wait: an init that blocks on the FIFO never ends

    assert not running.is_alive()
    assert outcome[0].exit_code == 1
    assert outcome[0].stderr == "Error: bots/.gitignore is not a regular file\n"
    assert [path.name for path in (here / "bots").iterdir()] == [".gitignore"]
