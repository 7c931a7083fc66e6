"""A generated project written into a fresh manifest root on the sandbox, and the real `assistplan` command run on it:
in-process through click's runner, or as a subprocess that a sandbox trigger can SIGKILL at a known request.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from assistplan.cli import cli
from assistplan.sandbox.server import SandboxServer
from invariants.projects import GeneratedProject
from invariants.remote import Inventory, Remote, blob_name

KEY_ENV = "ASSISTPLAN_INVARIANTS_OPENAI_KEY"
PROJECT = "inv"
CLI = [sys.executable, "-c", "from assistplan.cli import main; main()"]


@dataclass
class Workspace:
    root: Path
    sandbox: SandboxServer
    generated: GeneratedProject
    api_key: str
    remote: Remote
    project: str = PROJECT

    def switch(self, generated: GeneratedProject) -> None:
        """Replace the manifests and files by another version of the project (the state and sandbox stay)."""
        self.generated.clear(self.root)
        generated.write(self.root)
        self.generated = generated

    def run(self, *args: str) -> Result:
        """`assistplan --chdir ROOT ARGS...` in this process."""
        return CliRunner().invoke(cli, ["--chdir", str(self.root), *args], env=self.env(), catch_exceptions=False)

    def env(self) -> dict[str, str]:
        """The variables a command gets: the API key's, and those the manifests' `{env: NAME}` references read."""
        return {**self.generated.env, KEY_ENV: self.api_key}

    def apply(self) -> Result:
        return self.run("apply", "--auto-approve")

    def plan(self) -> Result:
        return self.run("plan", "--detailed-exitcode")

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """`assistplan --chdir ROOT ARGS...` as a child process, its output kept beside the root (`spawned_output`)."""
        with self.spawned_log.open("wb") as log:  # the child holds its own copy of the descriptor
            return subprocess.Popen(
                [*CLI, "--chdir", str(self.root), *args],
                env={**os.environ, **self.env()},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def spawned_log(self) -> Path:
        return self.root.parent / "spawned.log"

    def spawned_output(self) -> str:
        """What the last spawned command printed (its last 4,000 characters), for a failure message."""
        return self.spawned_log.read_text(encoding="utf-8", errors="replace")[-4000:]

    @property
    def state_path(self) -> Path:
        return self.root / ".assistplan" / "state.json"

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text(encoding="utf-8"))

    def inventory(self) -> Inventory:
        return self.remote.inventory()

    def claims(self) -> set[str]:
        """What a converged project owns remotely: one object per labelled address, one blob per local file."""
        addresses = {
            address for address in self.generated.addresses() if not address.startswith(("File/", "Function/"))
        }
        blobs = {blob_name(self.project, content, path) for path, content in self.generated.files.items()}
        return addresses | blobs

    def kept_versions(self) -> dict[str, int]:
        """`keep_versions` of each Skill that sets it, by address."""
        return {
            f"Skill/{document['name']}": document["keep_versions"]
            for document in self.generated.documents
            if document["kind"] == "Skill" and "keep_versions" in document
        }


def write_root(root: Path, sandbox: SandboxServer, generated: GeneratedProject, project: str = PROJECT) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "assistplan.yaml").write_text(
        f"project: {project}\nopenai:\n  base_url: {sandbox.base_url}\n  api_key_env: {KEY_ENV}\n", encoding="utf-8"
    )
    generated.write(root)


@contextmanager
def workspace(sandbox: SandboxServer, generated: GeneratedProject, api_key: str) -> Iterator[Workspace]:
    """A fresh manifest root holding `generated`, on an emptied sandbox; removed afterwards."""
    sandbox.reset()
    directory = Path(tempfile.mkdtemp(prefix="assistplan-invariants-"))
    remote = Remote(sandbox.base_url, api_key)
    try:
        root = directory / "assistants"
        write_root(root, sandbox, generated)
        yield Workspace(root, sandbox, generated, api_key, remote)
    finally:
        remote.close()
        shutil.rmtree(directory, ignore_errors=True)
