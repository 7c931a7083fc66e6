"""The Markdown section of `assistplan test`: a verdict, a table of the tests, and a collapsed block per failing turn
with the expectations it missed and the reply (snapshot), and a verdict alone when everything passed."""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from assistplan.testing.markdown import render_markdown
from assistplan.testing.model import Called, ConversationResult, Reply, Report, TurnResult

MEMORY = ConversationResult(
    "ConversationTest/memory",
    "Agent/support-agent",
    "tests/memory.yaml:1",
    (
        TurnResult(1, "alex", "My name is Alex.", Reply("Noted: your name is Alex.")),
        TurnResult(2, "alex", "What's my name?", Reply("Your name is Alex.")),
        TurnResult(
            3,
            "stranger",
            "What's my name?",
            Reply("Your name is Alex."),
            failures=('not_contains: expected the reply not to contain "Alex"',),
        ),
    ),
)
ORDERS = ConversationResult(
    "ConversationTest/orders",
    "Assistant/support",
    "tests/orders.yaml:1",
    (
        TurnResult(
            1,
            "main",
            "Where is order A-1001?",
            Reply("get_order_status returned: shipped", (Called("get_order_status", {"order_id": "A-1001"}),)),
        ),
        TurnResult(2, "main", "And B-2?", error="Assistant/support run the assistant: HTTP 500 (request id req_1)"),
        TurnResult(3, "main", "Thanks.", skipped="not run: turn 2 got no reply"),
    ),
)
CHATFLOW = ConversationResult(
    "ConversationTest/flow",
    "FlowiseChatflow/support-bot",
    "tests/flow.yaml:1",
    skipped="not run on the sandbox preview: Flowise objects are not applied there",
)


def test_failing_turns_are_listed_with_their_expectations_and_replies(md_snapshot: SnapshotAssertion) -> None:
    report = Report("acme-support", "a throwaway embedded sandbox", (MEMORY, ORDERS, CHATFLOW))

    assert render_markdown(report) == md_snapshot


def test_a_run_where_everything_passed_is_one_verdict_and_the_table() -> None:
    passing = ConversationResult(
        "ConversationTest/memory", "Agent/support-agent", "tests/memory.yaml:1", MEMORY.turns[:2]
    )

    assert render_markdown(Report("acme-support", "the applied objects", (passing,))) == (
        "### Conversation tests\n"
        "\n"
        ":white_check_mark: **1 conversation test passed** on the applied objects.\n"
        "\n"
        "| Test | Target | Result |\n"
        "|---|---|---|\n"
        "| `ConversationTest/memory` | `Agent/support-agent` | :white_check_mark: 2/2 turns |\n"
    )
