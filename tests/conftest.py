"""Fixtures shared by every test folder: a running sandbox (`sandbox`, `sandbox_server`) and `openai_client`; no
test runs as if in GitHub Actions unless it says so (the suite itself may run there); every early refresh a test
makes must be able to cross from a child process; and under pytest-xdist, the tests of `tests/flowise/` all run on
one worker."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from xdist.remote import Producer
    from xdist.scheduler import LoadGroupScheduling

pytest_plugins = ["assistplan.sandbox.testing"]

FLOWISE_TESTS = Path(__file__).parent / "flowise"
"""The folder of the tests that need the session's real Flowise (see tests/flowise/conftest.py)."""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadGroupScheduling | None:
    """`--dist loadgroup`, with every test of `tests/flowise/` in one group: the worker that runs the group starts the
    only Flowise of the run, and no two tests empty or fill it at once. The group is the largest, so it is handed out
    first and the other workers share the rest meanwhile. Without pytest-xdist (`-p no:xdist`) the hook is unused.

    The group is made here from the test's path, because pytest-xdist 3.8 marks a group by rewriting the test's node
    id, which pytest 9.2 no longer reads back (pytest-xdist issue 1386): an `xdist_group` mark is silently ignored."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    prefix = f"{Path(os.path.relpath(FLOWISE_TESTS, config.rootpath)).as_posix()}/"

    class FlowiseOnOneWorker(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "flowise" if nodeid.startswith(prefix) else super()._split_scope(nodeid)

    return FlowiseOnOneWorker(config, log)


@pytest.fixture(autouse=True)
def outside_github_actions_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """GITHUB_ACTIONS of a real run would add annotation lines to every command's errors."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture(autouse=True)
def early_refreshes_cross_a_process_boundary(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run as a command on Linux, the early refresh runs in a child process and its result comes back pickled; one
    that does not pickle is silently refreshed again (correct, but every request twice). Tests run it on a thread, so
    each result an early refresh of any test gives is pickled here, and the test fails if one does not pickle."""
    from assistplan.workflow import Workspace

    original = Workspace._read_early
    refused: list[str] = []

    def pickled(self: Workspace, *args: Any, **kwargs: Any) -> Any:
        early = original(self, *args, **kwargs)
        try:
            pickle.loads(pickle.dumps(early))
        except Exception as error:
            refused.append(f"{type(error).__name__}: {error}")
        return early

    monkeypatch.setattr(Workspace, "_read_early", pickled)
    yield
    assert not refused, f"an early refresh's result does not pickle: {refused[0]}"
