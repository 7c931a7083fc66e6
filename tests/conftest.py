"""Fixtures shared by every test folder: a running sandbox (`sandbox`, `sandbox_server`) and `openai_client`; and no
test runs as if in GitHub Actions unless it says so (the suite itself may run there)."""

import pytest

pytest_plugins = ["assistplan.sandbox.testing"]


@pytest.fixture(autouse=True)
def outside_github_actions_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """GITHUB_ACTIONS of a real run would add annotation lines to every command's errors."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
