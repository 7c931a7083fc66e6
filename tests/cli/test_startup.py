"""The installed console script, run as its own process on a `base_url: sandbox` project: it ends with `os._exit` as
soon as the command returns, so everything that must outlive it (the state, the lock, the sandbox's data, the output,
the GitHub step summary) has to be done by then. No timing is asserted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

KEY_ENV = "ASSISTPLAN_TEST_STARTUP_KEY"
CONFIG = f"project: startup-test\nopenai:\n  base_url: sandbox\n  api_key_env: {KEY_ENV}\n"
AGENT = """\
kind: Function
name: lookup_order
description: Look up an order by its number.
parameters:
  type: object
  properties:
    order_id: {type: string}
  required: [order_id]
---
kind: Agent
name: support
model: gpt-5
instructions: {instructions}
tools:
  - function: lookup_order
"""


def console_script() -> str:
    script = Path(sys.executable).parent / "assistplan"
    found = str(script) if script.exists() else shutil.which("assistplan")
    assert found, "the assistplan console script is not installed"
    return found


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


@dataclass
class Project:
    root: Path

    def write(self, instructions: str) -> None:
        (self.root / "agents.yaml").write_text(AGENT.replace("{instructions}", instructions), encoding="utf-8")

    def run(self, *args: str, env: dict[str, str] | None = None, program: list[str] | None = None) -> Run:
        command = [*(program or [console_script()]), "--chdir", str(self.root), *args]
        environ = {**os.environ, "NO_COLOR": "1"}
        environ.pop("GITHUB_STEP_SUMMARY", None)
        environ.update(env or {})
        done = subprocess.run(command, capture_output=True, text=True, env=environ, timeout=120, check=False)
        return Run(done.returncode, done.stdout, done.stderr)

    @property
    def state(self) -> Path:
        return self.root / ".assistplan" / "state.json"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "assistants"
    root.mkdir()
    (root / "assistplan.yaml").write_text(CONFIG, encoding="utf-8")
    made = Project(root)
    made.write("You answer order questions.")
    return made


def assert_lock_free(state: Path) -> None:
    """No run holds the state lock, and none left its holder file behind."""
    assert not state.with_name(state.name + ".lock.info").exists()
    lock = FileLock(state.with_name(state.name + ".lock"))
    lock.acquire(timeout=0)
    lock.release()


def test_apply_then_plan_as_processes_keep_state_lock_and_sandbox_data(project: Project) -> None:
    applied = project.run("apply", "--auto-approve")

    assert applied.code == 0, applied.stderr
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in applied.stdout
    recorded = json.loads(project.state.read_text(encoding="utf-8"))
    assert "Agent/support" in recorded["resources"]
    assert_lock_free(project.state)

    # The next process finds the agent in the sandbox's database, as the state records it.
    planned = project.run("plan", "--detailed-exitcode")

    assert planned.code == 0, planned.stderr
    assert planned.stdout == "No changes. Your assistants match the manifests.\n"
    assert_lock_free(project.state)


def test_plan_exit_codes_output_and_step_summary(project: Project, tmp_path: Path) -> None:
    assert project.run("apply", "--auto-approve").code == 0
    project.write("You answer order and refund questions.")
    summary = tmp_path / "summary.md"

    changed = project.run("plan", "--detailed-exitcode", env={"GITHUB_STEP_SUMMARY": str(summary)})

    assert changed.code == 2, changed.stderr
    assert changed.stdout.endswith("Plan: 0 to add, 1 to change, 0 to destroy.\n")
    assert "### assistplan plan — startup-test: 0 to add, 1 to change, 0 to destroy" in summary.read_text("utf-8")
    assert project.run("plan").code == 0
    assert_lock_free(project.state)


def test_failures_exit_non_zero_with_their_message(project: Project) -> None:
    lock = FileLock(project.state.with_name("state.json.lock"))
    project.state.parent.mkdir(parents=True, exist_ok=True)
    with lock.acquire(timeout=0):
        held = project.run("plan")
    (project.root / "broken.yaml").write_text("kind: Agent\nname: broken\nmodle: gpt-5\n", encoding="utf-8")
    invalid = project.run("validate")
    unknown = project.run("nosuch")

    assert held.code == 1
    assert held.stderr.startswith("Error: ")
    assert invalid.code == 1
    assert 'unknown field "modle"' in invalid.stderr
    assert unknown.code == 1
    assert "No such command 'nosuch'" in unknown.stderr
    assert_lock_free(project.state)


def test_a_usage_error_exits_1_never_the_2_that_detailed_exitcode_gives_changes(project: Project) -> None:
    miswritten = project.run("plan", "--detailed-exitcode", "--target", "Agent")
    unknown_option = project.run("plan", "--detailed-exitcode", "--bogus")

    assert (miswritten.code, unknown_option.code) == (1, 1)
    assert "invalid address 'Agent'" in miswritten.stderr
    assert "No such option '--bogus'" in unknown_option.stderr


@pytest.mark.parametrize("timeout", ["nan", "-1", "inf"])
def test_a_lock_timeout_that_is_no_finite_wait_is_a_usage_error(project: Project, timeout: str) -> None:
    result = project.run("plan", "--lock-timeout", timeout)

    assert result.code == 1
    assert "Invalid value for '--lock-timeout'" in result.stderr


def test_python_dash_m_runs_the_same_program(project: Project) -> None:
    version = project.run("--version", program=[sys.executable, "-m", "assistplan"])
    applied = project.run("apply", "--auto-approve", program=[sys.executable, "-m", "assistplan"])

    assert version.code == 0
    assert version.stdout == "assistplan, version 0.1.0\n"
    assert applied.code == 0, applied.stderr
    assert_lock_free(project.state)


IMPORTS_AFTER = """
import json, sys
from assistplan.cli import cli
try:
    cli(sys.argv[1:], prog_name="assistplan")
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def modules_after(project: Project, *args: str) -> set[str]:
    """The modules a command run in a fresh interpreter has imported by the time it returns."""
    done = project.run(*args, program=[sys.executable, "-c", IMPORTS_AFTER])
    assert done.code == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] in (0, None), done.stdout
    return set(result["modules"])


def test_a_no_op_plan_loads_only_the_format_it_prints(project: Project) -> None:
    assert project.run("apply", "--auto-approve").code == 0

    loaded = modules_after(project, "plan")

    assert "assistplan.render.text" in loaded
    assert not loaded & {"assistplan.render.markdown", "assistplan.render.json", "assistplan.plan.planfile"}
    assert not loaded & {"assistplan.cli.github", "assistplan.cli.flowise", "assistplan.cli.sandbox"}


def test_a_no_op_plan_never_imports_the_sdk(project: Project) -> None:
    assert project.run("apply", "--auto-approve").code == 0

    loaded = modules_after(project, "plan")

    assert not {name.split(".")[0] for name in loaded} & {"openai", "httpx2"}


@pytest.mark.skipif(sys.platform != "linux", reason="the early refresh forks on Linux only")
def test_a_no_op_plan_leaves_the_http_client_to_the_child_process_that_reads_the_live_objects(
    project: Project,
) -> None:
    assert project.run("apply", "--auto-approve").code == 0

    loaded = modules_after(project, "plan")

    assert "assistplan.render.text" in loaded
    assert "httpx" not in loaded


def test_applying_and_changing_agents_never_imports_the_sdk_nor_the_github_modules(project: Project) -> None:
    created = modules_after(project, "apply", "--auto-approve")
    project.write("You answer order and delivery questions.")
    updated = modules_after(project, "apply", "--auto-approve")

    for loaded in (created, updated):
        assert "httpx" in loaded
        assert not {name.split(".")[0] for name in loaded} & {"openai", "httpx2"}
        assert "assistplan.github" not in loaded


def test_an_apply_imports_the_modules_of_its_project_kinds_and_their_dependencies_only(project: Project) -> None:
    created = modules_after(project, "apply", "--auto-approve")
    project.write("You answer order and delivery questions.")
    updated = modules_after(project, "apply", "--auto-approve")

    for loaded in (created, updated):
        kinds = {name.removeprefix("assistplan.kinds.") for name in loaded if name.startswith("assistplan.kinds.")}
        assert {"agents", "functions"} <= kinds
        assert not {kind for kind in kinds if kind.startswith("flowise")} | (kinds & {"skills", "automations"})


def test_a_markdown_plan_imports_the_modules_of_its_project_kinds_only(project: Project) -> None:
    assert project.run("apply", "--auto-approve").code == 0
    project.write("You answer order and delivery questions.")

    loaded = modules_after(project, "plan", "--format", "markdown")

    assert "assistplan.render.markdown" in loaded
    assert not [name for name in loaded if name.startswith(("assistplan.kinds.flowise", "assistplan.kinds.skills"))]


SPY_PLUGIN = """
import os
from pathlib import Path

Path(os.environ["ASSISTPLAN_TEST_PLUGIN_MARK"]).write_text("loaded")


class Spy:
    def new_schema_validator(self, *args, **kwargs):
        return None, None, None


plugin = Spy()
"""


@pytest.fixture
def pydantic_plugin(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A pydantic plugin installed on the path (a distribution's metadata naming it), which leaves a mark when it is
    loaded: the environment to run with, and the mark's path."""
    site = tmp_path / "site"
    dist = site / "spy_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n", encoding="utf-8")
    (site / "spy_plugin.py").write_text(SPY_PLUGIN, encoding="utf-8")
    mark = tmp_path / "plugin-loaded"
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env = {"PYTHONPATH": path, "ASSISTPLAN_TEST_PLUGIN_MARK": str(mark)}
    return env, mark


def test_the_program_loads_no_pydantic_plugin_installed_beside_it(
    project: Project, pydantic_plugin: tuple[dict[str, str], Path]
) -> None:
    env, mark = pydantic_plugin

    done = project.run("validate", env=env)

    assert done.code == 0, done.stderr
    assert not mark.exists()


def test_a_pydantic_plugin_the_user_leaves_enabled_is_loaded(
    project: Project, pydantic_plugin: tuple[dict[str, str], Path]
) -> None:
    env, mark = pydantic_plugin

    done = project.run("validate", env={**env, "PYDANTIC_DISABLE_PLUGINS": "another-plugin"})

    assert done.code == 0, done.stderr
    assert mark.read_text() == "loaded"


STORE = """\
kind: VectorStore
name: handbook
files: [handbook/returns.md]
"""


def test_neither_a_no_op_plan_nor_its_child_process_imports_the_sdk(project: Project) -> None:
    (project.root / "store.yaml").write_text(STORE, encoding="utf-8")
    (project.root / "handbook").mkdir()
    (project.root / "handbook" / "returns.md").write_text("Returns are free.\n", encoding="utf-8")
    assert project.run("apply", "--auto-approve").code == 0

    planned = project.run("plan", env={"PYTHONPROFILEIMPORTTIME": "1"})

    assert planned.code == 0, planned.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in planned.stderr.splitlines() if line.startswith("import")}
    assert "httpx" in imported  # imported by the child alone: its imports are seen too
    assert not {name for name in imported if name.split(".")[0] in {"openai", "deepdiff"}}
