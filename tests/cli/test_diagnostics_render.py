"""Snapshot tests of compiler-style diagnostic rendering (render.diagnostics), plain and in colour."""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from assistplan.diagnostics import Diagnostic, Diagnostics, SourcePos, SourceRange
from assistplan.render.diagnostics import render_diagnostics

SOURCES = {
    "agents/support.yaml": [
        "kind: Agent",
        "name: support",
        "modle: gpt-5",
        "tools:",
        "  - type: web_search",
        "    context_size: huge",
        "\tservice_tier: slow",
    ],
    "schemas/long.json": ['{"type": "object", ' + ", ".join(f'"p{i}": {{"type": "string"}}' for i in range(30)) + "}"],
}


def at(file: str, line: int, col: int, end_col: int | None = None) -> SourceRange:
    end = SourcePos(file, line, end_col) if end_col is not None else None
    return SourceRange(SourcePos(file, line, col), end)


def sample() -> Diagnostics:
    diagnostics = Diagnostics()
    diagnostics.add(
        Diagnostic.error(
            'tools[0].context_size: invalid value "huge": expected one of "low", "medium", "high"',
            range=at("agents/support.yaml", 6, 19, 23),
        )
    )
    diagnostics.add(
        Diagnostic.error('unknown field "modle" (did you mean "model"?)', range=at("agents/support.yaml", 3, 1, 6))
    )
    diagnostics.add(Diagnostic.error("service_tier: tab before the key", range=at("agents/support.yaml", 7, 2, 14)))
    diagnostics.add(
        Diagnostic.error(
            'parameters.properties.p25: not listed in "required"', range=at("schemas/long.json", 1, 560, 565)
        )
    )
    diagnostics.add(Diagnostic.error("cannot read the source of this one", range=at("gone.yaml", 2, 3)))
    diagnostics.add(Diagnostic.error("no assistplan.yaml in /somewhere: create one with `assistplan init`"))
    diagnostics.add(
        Diagnostic.warning(
            "the Assistants API was shut down by OpenAI on 2026-08-26",
            address="Assistant/support",
            detail="it still works with compatible servers\nsuch as the sandbox",
        )
    )
    return diagnostics


def test_plain(text_snapshot: SnapshotAssertion) -> None:
    assert render_diagnostics(sample(), SOURCES.get) == text_snapshot


def test_colour(text_snapshot: SnapshotAssertion) -> None:
    assert render_diagnostics(sample(), SOURCES.get, color=True) == text_snapshot


def test_display_path() -> None:
    diagnostics = Diagnostics()
    diagnostics.add(Diagnostic.error("x", range=at("a.yaml", 1, 1)))
    rendered = render_diagnostics(diagnostics, lambda _: ["k: v"], display_path=lambda name: f"assistants/{name}")
    assert rendered == "assistants/a.yaml:1:1: error: x\n    1 | k: v\n      | ^\n1 error\n"
