"""`plan --projects PATH` through the command against one sandbox: every project (and environment) under a folder
planned in one run, each exactly as when planned alone, each collection of the account listed once for all of them;
a project that cannot be planned fails alone; exit codes, JSON and Markdown per project; --changed-since."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli
from assistplan.sandbox.server import API_KEY, SandboxServer
from assistplan.sandbox.testing import make_client
from conftest import KEY_ENV

MANIFESTS = """\
kind: Agent
name: helper
model: gpt-5
instructions: You help the {name} team.
---
kind: VectorStore
name: handbook
files: [docs/*.md]
"""


def write_project(folder: Path, name: str, sandbox: SandboxServer, extra: str = "") -> Path:
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    config = f"project: {name}\nopenai:\n  base_url: {sandbox.base_url}\n  api_key_env: {KEY_ENV}\n"
    (folder / "assistplan.yaml").write_text(config + textwrap.dedent(extra), encoding="utf-8")
    (folder / "docs" / "guide.md").write_text(f"# The {name} guide\n", encoding="utf-8")
    (folder / "agents.yaml").write_text(MANIFESTS.format(name=name), encoding="utf-8")
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def applied(folder: Path) -> None:
    result = run("--chdir", str(folder), "apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def plans(result: Result) -> dict[str, dict[str, Any]]:
    """The projects of a JSON plan of several, by name."""
    out = json.loads(result.stdout)
    return {entry["plan"]["project"] if entry["plan"] else entry["project"]: entry for entry in out["projects"]}


def alone(folder: Path, *args: str) -> dict[str, Any]:
    result = run("--chdir", str(folder), "plan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return comparable(json.loads(result.stdout))


def changes(entry: dict[str, Any]) -> int:
    """How many resources a project's plan creates, changes or destroys."""
    summary = entry["plan"]["summary"]
    return int(summary["add"] + summary["change"] + summary["destroy"])


def comparable(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if key != "timestamp"}


@pytest.fixture
def repo(tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three projects in one account: `billing` and `orders` applied, `support` not yet."""
    monkeypatch.setenv(KEY_ENV, API_KEY)
    monkeypatch.chdir(tmp_path)
    top = tmp_path / "repo"
    for name in ("billing", "orders", "support"):
        write_project(top / "teams" / name, name, sandbox)
    applied(top / "teams" / "billing")
    applied(top / "teams" / "orders")
    return top


def test_each_project_is_planned_as_when_planned_alone(repo: Path) -> None:
    (repo / "teams" / "orders" / "agents.yaml").write_text(MANIFESTS.format(name="Orders"), encoding="utf-8")
    folders = {name: repo / "teams" / name for name in ("billing", "orders", "support")}
    expected = {name: alone(folder) for name, folder in folders.items()}

    result = run("plan", "--projects", "repo", "--format", "json")

    assert result.exit_code == 0, result.output
    got = {name: comparable(entry["plan"]) for name, entry in plans(result).items()}
    assert got == expected
    assert [entry["dir"] for entry in plans(result).values()] == [
        "repo/teams/billing",
        "repo/teams/orders",
        "repo/teams/support",
    ]


def test_projects_without_their_state_files_are_planned_as_alone(repo: Path) -> None:
    for name in ("billing", "orders"):
        (repo / "teams" / name / ".assistplan" / "state.json").unlink()
    expected = {name: alone(repo / "teams" / name) for name in ("billing", "orders")}
    for name in ("billing", "orders"):
        (repo / "teams" / name / ".assistplan" / "state.json").unlink()

    result = run("plan", "--projects", "repo", "--format", "json")

    got = {name: comparable(entry["plan"]) for name, entry in plans(result).items() if name != "support"}
    assert got == expected
    assert [changes(entry) for entry in plans(result).values()] == [0, 0, 2]


def test_each_collection_of_the_account_is_listed_once_for_all_projects(repo: Path, sandbox: SandboxServer) -> None:
    sandbox.reset_counters()
    for name in ("billing", "orders", "support"):
        run("--chdir", str(repo / "teams" / name), "plan")
    one_by_one = sandbox.count("GET /agents"), sandbox.count("GET /vector_stores"), sandbox.count("GET /files")
    sandbox.reset_counters()

    result = run("plan", "--projects", "repo")

    assert result.exit_code == 0, result.output
    assert one_by_one == (3, 3, 3)
    assert (sandbox.count("GET /agents"), sandbox.count("GET /vector_stores"), sandbox.count("GET /files")) == (1, 1, 1)


def test_projects_that_read_their_objects_by_id_still_do_and_share_the_pages(
    repo: Path, sandbox: SandboxServer
) -> None:
    client = make_client(sandbox)
    for index in range(600):
        client.beta.agents.create(name=f"other-{index}", model="gpt-5", metadata={"assistplan:project": "other"})
    expected = {name: alone(repo / "teams" / name) for name in ("billing", "orders")}
    sandbox.reset_counters()
    alone(repo / "teams" / "billing")
    pages_alone = sandbox.count("GET /agents")
    sandbox.reset_counters()

    result = run("plan", "--projects", "repo", "--format", "json")

    got = {name: comparable(entry["plan"]) for name, entry in plans(result).items() if name != "support"}
    assert got == expected
    # one read takes one round, so a listing deeper than 1 + 1 rounds gives way to it (assistplan.providers.listing):
    # 7 pages walked from both ends are at least 3 deep whenever the walks cross (assistplan.providers.paging). Alone,
    # the walk from the top and the one from the oldest agent stop by the page after their third, and the walk after
    # the project's own agent (the oldest) asks for one empty page
    assert 3 <= pages_alone <= 4 + 4 + 1
    assert sandbox.count("GET /agents/{agent_id}") == 2
    # shared (walked without known ids), the second project is told the depth of the pages the first walked and reads
    # its agent as well; `support`, without a state file, lists the account to its end through the same walks: at
    # most the 7 pages from the top and the 7 from the oldest agent, once for the three projects
    assert 3 <= sandbox.count("GET /agents") <= 7 + 7


def test_a_project_that_cannot_be_planned_fails_alone(repo: Path) -> None:
    (repo / "teams" / "orders" / "broken.yaml").write_text("kind: Agent\nname: broken\nmodle: gpt-5\n", "utf-8")

    result = run("plan", "--projects", "repo", "--format", "json")

    assert result.exit_code == 1
    assert {name: entry["exit_code"] for name, entry in plans(result).items()} == {
        "billing": 0,
        "orders": 1,
        "support": 0,
    }
    assert "broken.yaml:3:1: error:" in plans(result)["orders"]["errors"]
    assert "broken.yaml:3:1: error:" in result.stderr


def test_detailed_exitcode_is_2_when_any_project_has_changes(repo: Path) -> None:
    assert run("plan", "--projects", "repo", "--detailed-exitcode").exit_code == 2
    applied(repo / "teams" / "support")

    result = run("plan", "--projects", "repo", "--detailed-exitcode")

    assert result.exit_code == 0
    assert result.stdout.endswith("3 projects: no changes.\n")


def test_the_text_has_a_section_per_project_and_a_headline(repo: Path) -> None:
    result = run("plan", "--projects", "repo")

    assert "=== billing (repo/teams/billing): No changes\n" in result.stdout
    assert "=== support (repo/teams/support): 2 to add, 0 to change, 0 to destroy\n" in result.stdout
    assert result.stdout.endswith("3 projects: 1 with changes, 2 without.\n")


def test_the_markdown_is_one_comment_with_a_section_per_project(repo: Path) -> None:
    result = run("plan", "--projects", "repo", "--format", "markdown")

    assert result.stdout.startswith("<!-- assistplan-plans -->\n### assistplan plan — 3 projects: 1 with changes")
    for name in ("billing", "orders", "support"):
        assert f"#### assistplan plan — {name}: " in result.stdout


def test_each_environment_of_a_project_is_planned_and_env_chooses_one(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    monkeypatch.chdir(tmp_path)
    environments = """\
        environments:
          dev: {state: .assistplan/dev.json}
          prod: {state: .assistplan/prod.json}
        """
    write_project(tmp_path / "shop", "shop", sandbox, environments)
    run("--chdir", "shop", "--env", "dev", "apply", "--auto-approve")

    both = plans(run("plan", "--projects", ".", "--format", "json"))
    prod = plans(run("--env", "prod", "plan", "--projects", ".", "--format", "json"))

    assert {name: entry["environment"] for name, entry in both.items()} == {"shop@dev": "dev", "shop@prod": "prod"}
    assert (changes(both["shop@dev"]), changes(both["shop@prod"])) == (0, 2)
    assert list(prod) == ["shop@prod"]


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True)


def test_changed_since_plans_only_the_projects_a_change_touches(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (repo / ".gitignore").write_text(".assistplan/\n", encoding="utf-8")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "base")
    (repo / "teams" / "orders" / "docs" / "guide.md").write_text("# Orders, changed\n", encoding="utf-8")

    result = run("plan", "--projects", "repo", "--changed-since", "HEAD", "--format", "json")

    assert list(plans(result)) == ["orders"]


def test_changed_since_needs_projects(repo: Path) -> None:
    result = run("--chdir", "repo/teams/orders", "plan", "--changed-since", "HEAD")

    assert result.exit_code == 1
    assert "--changed-since chooses among the projects of --projects PATH" in result.output


def test_refresh_only_shows_the_drift_of_each_project(repo: Path, sandbox: SandboxServer) -> None:
    state = json.loads((repo / "teams" / "billing" / ".assistplan" / "state.json").read_text(encoding="utf-8"))
    make_client(sandbox).beta.agents.update(state["resources"]["Agent/helper"]["id"], instructions="Edited by hand.")

    result = run("plan", "--projects", "repo", "--refresh-only", "--detailed-exitcode", "--format", "json")

    assert result.exit_code == 2
    drifted = {name: [d["address"] for d in entry["plan"]["resource_drift"]] for name, entry in plans(result).items()}
    assert drifted == {"billing": ["Agent/helper"], "orders": [], "support": []}
    assert {name: entry["exit_code"] for name, entry in plans(result).items()} == {
        "billing": 2,
        "orders": 0,
        "support": 0,
    }


def test_an_unexpected_error_in_one_project_is_its_failed_section_and_the_others_are_planned(repo: Path) -> None:
    from assistplan.providers import connect_openai

    def connect(config: Any, root: Path) -> Any:
        if config.project == "orders":
            raise RuntimeError("a fault in assistplan itself")
        return connect_openai(config, root)

    result = CliRunner().invoke(
        cli, ["plan", "--projects", "repo", "--format", "json"], obj={"connectors": {"openai": connect}}
    )

    assert result.exit_code == 1
    assert {name: entry["exit_code"] for name, entry in plans(result).items()} == {
        "billing": 0,
        "orders": 1,
        "support": 0,
    }
    expected = "Error: internal error planning orders: RuntimeError: a fault in assistplan itself\n"
    assert plans(result)["orders"]["errors"] == expected
    assert "Traceback" not in result.stderr


def test_a_state_folder_that_is_a_file_fails_that_project_alone_with_a_clear_error(repo: Path) -> None:
    folder = repo / "teams" / "orders" / ".assistplan"
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.write_text("", encoding="utf-8")

    result = run("plan", "--projects", "repo", "--format", "json")

    assert result.exit_code == 1
    assert plans(result)["orders"]["errors"].startswith("Error: cannot lock the state with ")
    assert [plans(result)[name]["exit_code"] for name in ("billing", "support")] == [0, 0]


def test_an_environment_no_project_declares_is_an_error_with_the_closest_name(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path / "shop", "shop", sandbox, "environments:\n  dev: {}\n  prod: {}\n")

    result = run("--env", "prdo", "plan", "--projects", ".", "--detailed-exitcode")
    listed = run("--env", "prdo", "projects", ".")

    assert result.exit_code == listed.exit_code == 1
    expected = 'no project declares the environment "prdo" (--env or ASSISTPLAN_ENV) (did you mean "prod"?)'
    assert expected in result.stderr
    assert expected in listed.stderr


def test_with_env_the_projects_without_it_are_named_as_left_out(
    tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path / "shop", "shop", sandbox, "environments:\n  dev: {}\n  prod: {}\n")
    write_project(tmp_path / "blog", "blog", sandbox)

    result = run("--env", "prod", "plan", "--projects", ".", "--format", "json")
    listed = run("--env", "prod", "projects", ".")

    assert list(plans(result)) == ["shop@prod"]
    assert 'blog (blog) is left out: it declares no environment "prod"' in result.stderr
    assert listed.stdout == "shop\tshop\tprod\n"


def test_the_projects_path_is_relative_to_chdir(repo: Path) -> None:
    result = run("--chdir", "repo/teams", "plan", "--projects", "orders", "--format", "json")

    assert list(plans(result)) == ["orders"]


def test_the_json_keeps_non_ascii_text_as_plan_format_json_does(repo: Path) -> None:
    (repo / "teams" / "support" / "agents.yaml").write_text(MANIFESTS.format(name="Café"), encoding="utf-8")

    result = run("plan", "--projects", "repo", "--format", "json")

    assert "You help the Café team." in result.stdout


def test_each_project_s_connections_are_closed_as_soon_as_it_is_planned(repo: Path) -> None:
    from assistplan.providers import connect_openai

    events: list[str] = []

    class Recorded:
        def __init__(self, provider: Any, name: str) -> None:
            self.provider, self.name = provider, name

        def __getattr__(self, attribute: str) -> Any:
            return getattr(self.provider, attribute)

        def close(self) -> None:
            events.append(f"close {self.name}")
            self.provider.close()

    def connect(config: Any, root: Path) -> Any:
        events.append(f"open {config.project}")
        return Recorded(connect_openai(config, root), config.project)

    result = CliRunner().invoke(
        cli, ["plan", "--projects", "repo", "--jobs", "1"], obj={"connectors": {"openai": connect}}
    )

    assert result.exit_code == 0, result.output
    # billing's settings also open the account's own connection for the shared listings, closed at the end of the run
    assert events == [
        "open billing",
        "open billing",
        "close billing",
        "open orders",
        "close orders",
        "open support",
        "close support",
        "close billing",
    ]


def test_with_several_projects_a_retry_notice_names_its_project(repo: Path, sandbox: SandboxServer) -> None:
    import socket

    from assistplan.providers.openai import connect

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    config = repo / "teams" / "orders" / "assistplan.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(sandbox.base_url, f"http://127.0.0.1:{closed}/v1"), encoding="utf-8")

    def without_waits(config: Any, root: Path) -> Any:
        provider = connect(base_url=config.openai.base_url, api_key_env=config.openai.api_key_env, root=root)
        provider.sleep = lambda seconds: None
        return provider

    result = CliRunner().invoke(cli, ["plan", "--projects", "repo"], obj={"connectors": {"openai": without_waits}})

    assert result.exit_code == 1
    retries = [line for line in result.stderr.splitlines() if "retrying" in line]
    assert retries
    assert all(line.startswith(f"orders: could not connect to http://127.0.0.1:{closed}/v1") for line in retries)


def test_in_github_actions_a_failed_project_s_errors_become_annotations_on_its_files(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    (repo / "teams" / "orders" / "broken.yaml").write_text("kind: Agent\nname: broken\nmodle: gpt-5\n", "utf-8")

    result = run("plan", "--projects", "repo", "--format", "json")

    assert "::error file=teams/orders/broken.yaml,line=3,col=1," in result.stderr
    assert "::error" not in plans(result)["orders"]["errors"]


def test_a_projects_path_that_is_a_loop_of_links_is_an_error(repo: Path) -> None:
    Path("loop").symlink_to("loop")

    result = run("plan", "--projects", "loop")

    assert result.exit_code == 1
    assert "cannot be used" in result.output
    assert "Traceback" not in result.output
