"""Fixtures for the GitHub Actions support: a fake GitHub API on loopback, and a copy of the example manifests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .fakegithub import FakeGitHub

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "assistants"
EXAMPLE_TOKEN_ENV = "ACME_ORDERS_MCP_TOKEN"
"""The variable the example's vault credential reads its MCP token from (set as the quickstart sets it)."""


GITHUB_VARIABLES = (
    "GITHUB_ACTIONS",
    "GITHUB_API_URL",
    "GITHUB_EVENT_PATH",
    "GITHUB_REPOSITORY",
    "GITHUB_SHA",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_TOKEN",
)


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the GitHub Actions variables it needs; none leak in from a real run."""
    for name in GITHUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's example stack (embedded sandbox: no key, no server), without local state, with its
    MCP token set in the environment as the quickstart sets it."""
    monkeypatch.setenv(EXAMPLE_TOKEN_ENV, "example-token")
    root = tmp_path / "assistants"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assistplan", "flowise"))
    return root
