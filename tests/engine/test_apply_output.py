"""What an apply that asks for no confirmation prints, run as a program (one thread, so its plan is rendered in a
forked child while the actions run) and in-process (other threads run, so it is rendered before the actions start):
the plan first, exactly as `plan` prints it, then a line per action."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import Future

from assistplan.cli.planning import _text_of
from assistplan.forked import ChildFailed
from assistplan.sandbox.server import API_KEY
from conftest import KEY_ENV, Project


def run_as_program(project: Project, *args: str) -> str:
    """The command's standard output and error as one stream, as a CI log shows them."""
    done = subprocess.run(
        [sys.executable, "-m", "assistplan", "--chdir", str(project.root), *args],
        env={**os.environ, KEY_ENV: API_KEY, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 2), done.stdout
    return done.stdout


def test_a_program_applying_without_confirmation_prints_the_plan_that_plan_prints_then_the_actions(
    project: Project,
) -> None:
    planned = run_as_program(project, "plan")

    applied = run_as_program(project, "apply", "--auto-approve")

    assert applied.startswith(planned)
    actions = applied[len(planned) :].splitlines()
    assert sorted(line.split(":")[0] for line in actions if ": created (" in line) == [
        "Agent/support-agent",
        "Assistant/support",
        "File/price-list",
        "VectorStore/handbook",
    ]
    assert actions[-1] == "Apply complete! Resources: 4 added, 0 changed, 0 destroyed."


def test_in_process_the_plan_comes_before_every_action_line(project: Project) -> None:
    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    actions = [index for index, line in enumerate(lines) if ": created (" in line]
    assert len(actions) == 4
    assert lines.index("Plan: 4 to add, 0 to change, 0 to destroy.") < min(actions)


def test_a_plan_text_whose_child_ended_without_it_is_rendered_here() -> None:
    done: Future[str] = Future()
    done.set_exception(ChildFailed("the child process ended without a result (killed by signal 9)"))

    assert _text_of(done, lambda: "the plan, rendered here\n") == "the plan, rendered here\n"
