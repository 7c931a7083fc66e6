"""A manifest root in a temporary folder and the real `assistplan` command run on it, for CLI-level tests."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from assistplan.cli import cli


@dataclass
class ManifestRoot:
    root: Path
    runner: CliRunner
    connectors: dict[str, Any] = field(default_factory=dict, kw_only=True)
    """Provider connectors that replace the real ones for the commands run here (see `Workspace`)."""

    def run(self, *args: str, input: str | None = None) -> Result:
        obj = {"connectors": self.connectors} if self.connectors else None
        return self.runner.invoke(cli, ["--chdir", str(self.root), *args], input=input, catch_exceptions=False, obj=obj)

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    @property
    def state_path(self) -> Path:
        return self.root / ".assistplan" / "state.json"

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text(encoding="utf-8"))
