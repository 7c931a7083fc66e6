"""What a conversation test produced: each reply, each turn's verdict, each test's, as frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Called:
    """A function the target called while answering, with its arguments (parsed JSON, or the text as sent)."""

    name: str
    arguments: Any


@dataclass(frozen=True)
class Reply:
    text: str
    calls: tuple[Called, ...] = ()
    latency_ms: float = 0.0


class TurnError(Exception):
    """The target gave no usable reply to a turn (a failed run, a function the test gives no output for)."""


class Conversation(Protocol):
    """One test's conversations with its target: one per session name, started on first use."""

    def say(self, session: str, text: str) -> Reply:
        """Send `text` in `session` and return the complete reply; raises TurnError or a ProviderError."""

    def close(self) -> None:
        """Delete what the conversations left on the server where the API allows it (best effort)."""


@dataclass(frozen=True)
class TurnResult:
    number: int
    """1-based, in the order of the test's turns."""
    session: str
    user: str
    reply: Reply | None = None
    failures: tuple[str, ...] = ()
    """The expectations the reply did not satisfy, each as a sentence."""
    error: str | None = None
    """Why no reply came."""
    skipped: str | None = None
    """Why the turn was not run."""

    @property
    def passed(self) -> bool:
        return self.reply is not None and not self.failures and self.error is None

    @property
    def label(self) -> str:
        """How reports name the turn: `turn 2 [main] "What's my name?"`."""
        user = self.user if len(self.user) <= 60 else self.user[:57] + "..."
        return f'turn {self.number} [{self.session}] "{" ".join(user.split())}"'


@dataclass(frozen=True)
class ConversationResult:
    address: str
    target: str
    source: str
    """Where the test's manifest starts (`tests/memory.yaml:1`)."""
    turns: tuple[TurnResult, ...] = ()
    error: str | None = None
    """Why the test could not start (its target is not applied)."""
    skipped: str | None = None
    """Why the test was not run at all."""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and self.skipped is None and all(turn.passed for turn in self.turns)

    @property
    def failed(self) -> bool:
        return self.skipped is None and not self.passed

    @property
    def first_problem(self) -> TurnResult | None:
        return next((turn for turn in self.turns if not turn.passed and turn.skipped is None), None)


@dataclass(frozen=True)
class Report:
    project: str
    where: str
    """What the tests talked to: "the live objects of the state" or "a throwaway embedded sandbox"."""
    tests: tuple[ConversationResult, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> list[ConversationResult]:
        return [test for test in self.tests if test.failed]

    @property
    def passed(self) -> list[ConversationResult]:
        return [test for test in self.tests if test.passed]

    @property
    def skipped(self) -> list[ConversationResult]:
        return [test for test in self.tests if test.skipped is not None]
