"""The installed `assistplan` console script run on a terminal (a pseudo-terminal as its standard input, output and
error), for what a command does only when a person is there: prompts and colors."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path


def console_script() -> str:
    script = Path(sys.executable).parent / "assistplan"
    found = str(script) if script.exists() else shutil.which("assistplan")
    assert found, "the assistplan console script is not installed"
    return found


def on_a_terminal(root: Path, *args: str, answer: str | None = None, env: dict[str, str] | None = None) -> str:
    """Run `assistplan --chdir ROOT ARGS` on a terminal, type `answer` when it asks for a value, and return
    everything it wrote (standard output and error, as the terminal shows them)."""
    parent, child = pty.openpty()
    environ = {**os.environ, **(env or {})}
    environ.pop("GITHUB_STEP_SUMMARY", None)
    environ.pop("GITHUB_ACTIONS", None)
    process = subprocess.Popen(
        [console_script(), "--chdir", str(root), *args], stdin=child, stdout=child, stderr=child, env=environ
    )
    os.close(child)
    written = b""
    answered = answer is None
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
            os.write(parent, (answer or "").encode() + b"\n")
            answered = True
    process.wait(timeout=120)
    os.close(parent)
    return written.decode(errors="replace").replace("\r\n", "\n")
