"""Shell completion (click's, `_ASSISTPLAN_COMPLETE=bash_source assistplan`): commands, and addresses after
`--target`, `--replace`, `import`, `state show`, `state rm`, `state mv` and `output`, read from the manifests and the
state on disk, never from the API."""

from __future__ import annotations

import os
import subprocess

from assistplan.cli import cli
from conftest import Project
from terminal import console_script

RECORDED = ["Agent/support-agent", "Assistant/support", "File/price-list", "VectorStore/handbook"]
MANIFEST_ADDRESSES = [*RECORDED[:3], "Function/get_order_status", RECORDED[3]]


def completions(project: Project, *words: str) -> list[str]:
    """What bash would be offered for the last of `words` (an empty string: a new word) on the command line
    `assistplan --chdir ROOT WORDS`."""
    line = ["assistplan", "--chdir", str(project.root), *words]
    environ = {"_ASSISTPLAN_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(line), "COMP_CWORD": str(len(line) - 1)}
    result = project.runner.invoke(cli, [], prog_name="assistplan", env=environ)
    assert result.exit_code == 0, result.output
    return [entry.partition(",")[2] for entry in result.stdout.splitlines()]


def forget_in_the_state(project: Project, address: str) -> None:
    assert project.run("state", "rm", address).exit_code == 0


def test_commands_complete(project: Project) -> None:
    assert completions(project, "ver") == ["version"]


def test_target_completes_the_addresses_of_the_manifests(project: Project) -> None:
    assert completions(project, "plan", "--target", "") == MANIFEST_ADDRESSES
    assert completions(project, "apply", "--target", "Ag") == ["Agent/support-agent"]
    assert completions(project, "plan", "--replace", "Vector") == ["VectorStore/handbook"]
    assert completions(project, "import", "Assis") == ["Assistant/support"]


def test_target_completes_addresses_only_the_state_still_records(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    project.edit("stack.yaml", "name: price-list", "name: prices")

    offered = completions(project, "destroy", "--target", "File/")

    assert offered == ["File/price-list", "File/prices"]


def test_state_commands_and_output_complete_the_recorded_addresses_only(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    forget_in_the_state(project, "File/price-list")
    recorded = [address for address in RECORDED if address != "File/price-list"]

    assert completions(project, "state", "show", "") == recorded
    assert completions(project, "state", "rm", "A") == ["Agent/support-agent", "Assistant/support"]
    assert completions(project, "state", "mv", "V") == ["VectorStore/handbook"]
    assert completions(project, "output", "") == recorded


def test_completion_never_calls_the_api(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    project.sandbox.reset_counters()

    completions(project, "plan", "--target", "")
    completions(project, "state", "show", "")

    assert project.sandbox.counters == {}


def test_completion_of_manifests_that_do_not_load_offers_what_the_state_records(project: Project) -> None:
    assert project.run("apply", "--auto-approve").exit_code == 0
    project.write("broken.yaml", "kind: Agent\nname: [not a name]\n")

    assert completions(project, "plan", "--target", "") == RECORDED


def test_the_console_script_prints_its_bash_completion_script(project: Project) -> None:
    environ = {**os.environ, "_ASSISTPLAN_COMPLETE": "bash_source"}

    done = subprocess.run([console_script()], capture_output=True, text=True, env=environ, timeout=60, check=False)

    assert done.returncode == 0, done.stderr
    assert "complete -o nosort -F _assistplan_completion assistplan" in done.stdout
