"""`init` writes only inside its folder and never through a link, and refuses a folder it cannot use with an error,
never a traceback, before it writes anything."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistplan.cli import cli


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_refuses_a_dangling_link_where_a_manifest_goes(runner: CliRunner, here: Path) -> None:
    (here / "bots").mkdir()
    (here / "bots" / "agent.yaml").symlink_to("../outside-agent")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: init never overwrites files, and these exist already:\n  bots/agent.yaml (a symbolic link)\n"
    )
    assert sorted(path.name for path in here.iterdir()) == ["bots"]
    assert [path.name for path in (here / "bots").iterdir()] == ["agent.yaml"]


def test_init_refuses_a_link_where_a_folder_it_writes_in_goes(runner: CliRunner, here: Path) -> None:
    (here / "elsewhere").mkdir()
    (here / "bots").mkdir()
    (here / "bots" / "prompts").symlink_to("../elsewhere")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: init never overwrites files, and these exist already:\n  bots/prompts (a symbolic link)\n"
    )
    assert list((here / "elsewhere").iterdir()) == []
    assert [path.name for path in (here / "bots").iterdir()] == ["prompts"]


def test_init_refuses_a_file_where_a_folder_it_writes_in_goes(runner: CliRunner, here: Path) -> None:
    (here / "bots").mkdir()
    (here / "bots" / "prompts").write_text("mine\n", encoding="utf-8")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: init never overwrites files, and these exist already:\n  bots/prompts (not a folder)\n"
    )
    assert [path.name for path in (here / "bots").iterdir()] == ["prompts"]


def test_init_into_a_fifo_is_an_error(runner: CliRunner, here: Path) -> None:
    os.mkfifo(here / "bots")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == "Error: bots is not a folder\n"


def test_init_into_a_device_is_an_error(runner: CliRunner, here: Path) -> None:
    result = runner.invoke(cli, ["init", os.devnull])

    assert result.exit_code == 1
    assert result.stderr == f"Error: {os.devnull} is not a folder\n"


def test_init_into_a_dangling_link_is_an_error(runner: CliRunner, here: Path) -> None:
    (here / "bots").symlink_to("nowhere")

    result = runner.invoke(cli, ["init", "bots"])

    assert result.exit_code == 1
    assert result.stderr == "Error: bots is a symbolic link to nothing\n"
    assert sorted(path.name for path in here.iterdir()) == ["bots"]


def test_init_below_a_file_is_an_error(runner: CliRunner, here: Path) -> None:
    (here / "notes").write_text("mine\n", encoding="utf-8")

    result = runner.invoke(cli, ["init", "notes/bots"])

    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot use notes/bots as the manifest root: {os.strerror(errno.ENOTDIR)}\n"


def test_init_with_a_folder_name_too_long_is_an_error(runner: CliRunner, here: Path) -> None:
    name = "a" * 300

    result = runner.invoke(cli, ["init", name])

    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot use {name} as the manifest root: {os.strerror(errno.ENAMETOOLONG)}\n"
    assert list(here.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_init_into_a_folder_where_files_cannot_be_created_is_an_error(runner: CliRunner, here: Path) -> None:
    result = runner.invoke(cli, ["init", "/proc/self"])

    assert result.exit_code == 1
    assert result.stderr == "Error: cannot create /proc/self/agent.yaml: No such file or directory\n"
