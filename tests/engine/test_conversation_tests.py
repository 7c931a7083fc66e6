"""`assistplan test`: ConversationTest manifests talk to the applied Agent (sessions) and Assistant (threads and
runs) on the sandbox, check every reply, name the turn that failed and the expectation it missed, write JUnit XML and
a Markdown section, and are never planned as remote objects."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assistplan.sandbox import scripted_model
from assistplan.sandbox.server import SandboxServer
from conftest import Project

MEMORY = """\
kind: ConversationTest
name: memory
target: Agent/support-agent
turns:
  - session: alex
    user: My name is Alex.
  - session: alex
    user: What's my name?
    expect: {contains: Alex}
  - session: stranger
    user: What's my name?
    expect: {not_contains: Alex}
"""

ORDERS = """\
kind: ConversationTest
name: orders
target: Assistant/support
tool_outputs: {get_order_status: shipped}
turns:
  - user: Where is order A-1001?
    expect:
      tool_called:
        name: get_order_status
        arguments: {properties: {order_id: {const: A-1001}}, required: [order_id]}
      regex: "returned: shipped$"
"""


def applied(project: Project, **tests: str) -> Project:
    for name, text in tests.items():
        project.write(f"tests/{name}.yaml", text)
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return project


def test_an_agent_remembers_within_a_session_and_not_across_sessions(project: Project) -> None:
    applied(project, memory=MEMORY)

    result = project.run("test")

    assert result.exit_code == 0, result.output
    assert "PASS ConversationTest/memory -> Agent/support-agent (tests/memory.yaml:1)" in result.output
    assert "Tests: 1 passed, 0 failed (3 turns, on the applied objects)." in result.output


def test_a_wrong_expectation_fails_naming_the_turn_the_expectation_and_the_reply(project: Project) -> None:
    applied(project, memory=MEMORY.replace("{contains: Alex}", "{contains: Bob}"))

    result = project.run("test")

    assert result.exit_code == 1
    assert "FAIL ConversationTest/memory -> Agent/support-agent (tests/memory.yaml:1)" in result.output
    assert '  x turn 2 [alex] "What\'s my name?" (' in result.output
    assert '      contains: expected the reply to contain "Bob"\n' in result.output
    assert '      reply: "Your name is Alex."\n' in result.output
    assert "Tests: 0 passed, 1 failed" in result.output


def test_an_assistant_run_calls_the_function_and_answers_with_the_tests_output(project: Project) -> None:
    applied(project, orders=ORDERS)

    result = project.run("test")

    assert result.exit_code == 0, result.output
    assert 'ok turn 1 [main] "Where is order A-1001?"' in result.output


def test_arguments_that_do_not_match_the_schema_fail_the_turn(project: Project) -> None:
    applied(project, orders=ORDERS.replace("Where is order A-1001?", "Where is order B-2?"))

    result = project.run("test")

    assert result.exit_code == 1
    assert (
        "tool_called: get_order_status was called with "
        '{"order_id": "B-2"}, which does not match the arguments schema: \'A-1001\' was expected at $.order_id'
    ) in result.output


def test_a_function_the_test_gives_no_output_for_ends_the_test(project: Project) -> None:
    test = ORDERS.replace("tool_outputs: {get_order_status: shipped}\n", "") + "  - user: Thanks.\n"
    applied(project, orders=test)

    result = project.run("test")

    assert result.exit_code == 1
    assert (
        'x turn 1 [main] "Where is order A-1001?": no reply\n'
        "      the run called get_order_status, for which the test gives no output (tool_outputs.get_order_status)\n"
        '  - turn 2 [main] "Thanks.": not run: turn 1 got no reply\n'
    ) in result.output


def test_a_reply_is_checked_as_json_against_a_schema(project: Project, sandbox: SandboxServer) -> None:
    expect = "{json_schema: {type: object, required: [status], properties: {status: {enum: [shipped]}}}}"
    applied(project, memory=MEMORY.replace("{contains: Alex}", expect))
    scripted_model.script(sandbox.store, patterns={"what's my name": '{"status": "lost"}'})

    result = project.run("test")

    assert result.exit_code == 1
    assert (
        "json_schema: the reply's JSON does not match the schema: 'lost' is not one of ['shipped'] at $.status"
        in result.output
    )


def test_a_reply_slower_than_its_budget_fails(project: Project, sandbox: SandboxServer) -> None:
    applied(project, memory=MEMORY.replace("{contains: Alex}", "{latency_ms: 1}"))
    sandbox.set_faults(latency_ms=20)

    result = project.run("test")

    assert result.exit_code == 1
    assert "latency_ms: expected a reply within 1 ms; it took " in result.output


def test_junit_xml_has_a_suite_per_test_and_a_failure_per_failed_turn(project: Project, tmp_path: Path) -> None:
    applied(project, memory=MEMORY.replace("{contains: Alex}", "{contains: Bob}"), orders=ORDERS)
    junit = tmp_path / "tests.xml"

    project.run("test", "--junit", str(junit))

    root = ET.parse(junit).getroot()
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "4", "1", "0")
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert sorted(suites) == ["ConversationTest/memory", "ConversationTest/orders"]
    failures = [
        (case.get("name"), failure.get("message"))
        for case in suites["ConversationTest/memory"].iter("testcase")
        for failure in case.iter("failure")
    ]
    assert failures == [('turn 2 [alex] "What\'s my name?"', 'contains: expected the reply to contain "Bob"')]


def test_the_markdown_section_names_the_failing_turn(project: Project, tmp_path: Path) -> None:
    applied(project, memory=MEMORY.replace("{contains: Alex}", "{contains: Bob}"), orders=ORDERS)
    markdown = tmp_path / "tests.md"

    project.run("test", "--markdown", str(markdown))

    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("### Conversation tests\n\n:x: **1 of 2 conversation tests failed** on the applied objects.")
    assert "| `ConversationTest/memory` | `Agent/support-agent` | :x: 2/3 turns, first at turn 2 |" in text
    assert '<summary>ConversationTest/memory: turn 2 [alex] "What\'s my name?"</summary>' in text


def test_conversation_tests_are_never_planned(project: Project) -> None:
    applied(project, memory=MEMORY)
    project.state_path.unlink()

    plan = json.loads(project.run("plan", "--format", "json").output)

    assert not [rc for rc in plan["resource_changes"] if rc["address"].startswith("ConversationTest/")]
    assert all(rc["change"]["actions"] == ["no-op"] for rc in plan["resource_changes"])


def test_a_target_that_is_not_applied_is_reported_and_fails(project: Project) -> None:
    project.write("tests/memory.yaml", MEMORY)

    result = project.run("test")

    assert result.exit_code == 1
    assert "no state in" in result.output


def test_a_target_missing_from_the_state_fails_the_test(project: Project) -> None:
    applied(project, memory=MEMORY)
    project.write("late.yaml", "kind: Agent\nname: late\nmodel: gpt-5\n")
    project.write("tests/late.yaml", MEMORY.replace("name: memory", "name: late").replace("support-agent", "late"))

    result = project.run("test", "late")

    assert result.exit_code == 1
    assert "Agent/late is not in the state: apply the project before testing ConversationTest/late" in result.output


def test_sandbox_applies_the_change_to_a_throwaway_sandbox_and_leaves_the_state_alone(project: Project) -> None:
    project.write("tests/memory.yaml", MEMORY)
    project.write("tests/orders.yaml", ORDERS)

    result = project.run("test", "--sandbox")

    assert result.exit_code == 0, result.output
    assert "Tests: 2 passed, 0 failed (4 turns, on a throwaway embedded sandbox)." in result.output
    assert not project.state_path.exists()
    assert project.sandbox.count("POST /assistants") == 0


def test_a_project_without_tests_says_so_and_succeeds(project: Project, tmp_path: Path) -> None:
    markdown = tmp_path / "tests.md"

    result = project.run("test", "--markdown", str(markdown))

    assert (result.exit_code, result.output) == (
        0,
        "No conversation tests: the project has no ConversationTest manifests.\n",
    )
    assert not markdown.exists()


@pytest.mark.parametrize(
    ("line", "wrong", "message"),
    [
        (3, "target: Agent/support-agnt", 'target: unknown Agent "support-agnt" (did you mean "support-agent"?)'),
        (3, "target: File/price-list", "a test talks to an Agent, Assistant, FlowiseChatflow or FlowiseAssistant"),
        (9, "expect: {contains: Alex}", None),
    ],
)
def test_invalid_tests_are_reported_at_their_line(project: Project, line: int, wrong: str, message: str | None) -> None:
    project.write("tests/memory.yaml", MEMORY.replace("target: Agent/support-agent", wrong))
    if message is None:
        project.write("tests/memory.yaml", MEMORY.replace("{contains: Alex}", '{regex: "("}'))
        message = "turns[1].expect.regex: not a regular expression"

    result = project.run("validate")

    assert result.exit_code == 1
    assert f"tests/memory.yaml:{line}:" in result.output
    assert message in result.output


def test_a_report_that_cannot_be_written_fails_the_command_after_the_results_are_shown(
    project: Project, tmp_path: Path
) -> None:
    applied(project, memory=MEMORY, orders=ORDERS)
    (tmp_path / "file").write_text("")

    result = project.run("test", "--junit", str(tmp_path / "file" / "tests.xml"))

    assert result.exit_code == 1
    assert "2 passed" in result.output
    assert f"cannot write the report to {tmp_path / 'file' / 'tests.xml'}: Not a directory" in result.output
    assert "Traceback" not in result.output
