"""`assistplan test` against a real Flowise whose OpenAI calls go to the sandbox: the repository's example
chatflows remember within a chat session and not across sessions and run the order-status tool, a wrong expectation
fails naming its turn, and a FlowiseAssistant is talked to through the chatflow that serves it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli
from assistplan.sandbox.server import API_KEY, SandboxServer

from .server import FlowiseServer

EXAMPLE = Path(__file__).resolve().parents[2] / "assistants" / "flowise"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def example(tmp_path: Path, flowise: FlowiseServer, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example, applied to the session's Flowise and the sandbox."""
    root = tmp_path / "flowise"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assistplan"))
    monkeypatch.setenv("FLOWISE_URL", flowise.url)
    monkeypatch.setenv("FLOWISE_API_KEY", flowise.api_key)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", sandbox.base_url)
    applied = run(root, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return root


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--chdir", str(root), *args], catch_exceptions=False)


def test_the_examples_chatflows_remember_per_session_and_run_the_tool(example: Path) -> None:
    result = run(example, "test")

    assert result.exit_code == 0, result.output
    assert "Tests: 3 passed, 0 failed (7 turns, on the applied objects)." in result.output


def test_a_wrong_expectation_fails_naming_the_turn(example: Path) -> None:
    tests = example / "tests" / "support-bot.yaml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("{contains: Alex}", "{contains: Bob}", 1))

    result = run(example, "test", "support-bot-memory")

    assert result.exit_code == 1
    assert 'x turn 2 [alex] "What\'s my name?"' in result.output
    assert '      contains: expected the reply to contain "Bob"\n      reply: "Your name is Alex."\n' in result.output


def test_an_openai_flowise_assistant_is_talked_to_through_its_chatflow(example: Path) -> None:
    (example / "tests" / "assistant.yaml").write_text(
        "kind: ConversationTest\n"
        "name: assistant\n"
        "target: FlowiseAssistant/support-openai\n"
        "turns:\n"
        "  - user: Where is order A-7?\n"
        "    expect: {tool_called: {name: get_order_status}}\n",
        encoding="utf-8",
    )

    result = run(example, "test", "assistant")

    assert result.exit_code == 0, result.output
    assert "PASS ConversationTest/assistant -> FlowiseAssistant/support-openai" in result.output
