"""`destroy` speaks of destroying: its closing line, its prompt (asked on a terminal) and its cancellation."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import Project


def applied(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def on_a_terminal(project: Project, *args: str, answer: str) -> str:
    """Run the console script on `project` with a terminal as its standard input and output, type `answer` when it
    asks, and return everything it wrote."""
    script = Path(sys.executable).parent / "assistplan"
    program = str(script) if script.exists() else shutil.which("assistplan")
    assert program, "the assistplan console script is not installed"
    parent, child = pty.openpty()
    environ = {**os.environ, "NO_COLOR": "1"}
    environ.pop("GITHUB_STEP_SUMMARY", None)
    process = subprocess.Popen(
        [program, "--chdir", str(project.root), *args], stdin=child, stdout=child, stderr=child, env=environ
    )
    os.close(child)
    written = b""
    answered = False
    while True:
        ready, _, _ = select.select([parent], [], [], 120)
        assert ready, f"the command wrote nothing more for two minutes: {written.decode(errors='replace')}"
        try:
            chunk = os.read(parent, 4096)
        except OSError:
            break
        if not chunk:
            break
        written += chunk
        if not answered and b"Enter a value" in written:
            os.write(parent, answer.encode() + b"\n")
            answered = True
    process.wait(timeout=120)
    os.close(parent)
    return written.decode(errors="replace").replace("\r\n", "\n")


def test_destroy_reports_how_many_objects_it_destroyed(project: Project) -> None:
    applied(project)

    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Plan: 0 to add, 0 to change, 7 to destroy." in result.output
    assert "Destroy complete! Resources: 7 destroyed." in result.output
    assert "Apply complete" not in result.output


def test_the_destroy_prompt_shows_no_empty_default_and_a_refusal_cancels_the_destroy(project: Project) -> None:
    applied(project)

    written = on_a_terminal(project, "destroy", answer="no")

    assert "assistplan will destroy every object of this project." in written
    assert "  Enter a value: no\n" in written
    assert "[]" not in written
    assert "Destroy cancelled." in written
    assert len(project.state()["resources"]) == 4


def test_the_apply_prompt_shows_no_empty_default(project: Project) -> None:
    written = on_a_terminal(project, "apply", answer="no")

    assert "  Enter a value: no\n" in written
    assert "[]" not in written
    assert "Apply cancelled." in written
