"""Deterministic request triggers: run an action when the Nth request (of one route, or of any) arrives.

A trigger counts the OpenAI requests that arrive after it is registered (control routes are not counted). When its
Nth one arrives, the sandbox runs the action synchronously on the server's event loop:

- `when="before"`: before the handler runs, so the request never takes effect;
- `when="after"`: after the handler has committed, before the response is sent (a lost response).

Then, with `then="drop"` (the default), the connection is closed without an answer; with `then="answer"` the request
goes on as usual. Each trigger fires once. Typical action: SIGKILL a CLI subprocess at a known point.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger(__name__)

When = Literal["before", "after"]
Then = Literal["drop", "answer"]


@dataclass
class Trigger:
    """One registered trigger; `fired` is set once its action has run."""

    n: int
    action: Callable[[], None]
    route: str | None
    when: When
    then: Then
    seen: int = 0
    fired: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Run the action; an action that raises is logged, and the request is handled as if it had not."""
        try:
            self.action()
        except Exception:
            log.exception("sandbox trigger action failed (request %d of %s)", self.n, self.route or "any route")
        finally:
            self.fired.set()


class Triggers:
    """The pending triggers of one server (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Trigger] = []

    def add(
        self,
        n: int,
        action: Callable[[], None],
        *,
        route: str | None = None,
        when: When,
        then: Then = "drop",
    ) -> Trigger:
        if n < 1:
            raise ValueError(f"n counts requests from 1, not {n}")
        if when not in ("before", "after"):
            raise ValueError(f"when must be 'before' or 'after', not {when!r}")
        if then not in ("drop", "answer"):
            raise ValueError(f"then must be 'drop' or 'answer', not {then!r}")
        trigger = Trigger(n, action, route, when, then)
        with self._lock:
            self._pending.append(trigger)
        return trigger

    def arrive(self, route_key: str) -> Trigger | None:
        """Count one request of `route_key`; the trigger it completes, if any.

        One trigger fires per request: when two are due, the one registered first fires and the other waits for its
        next matching request.
        """
        due: Trigger | None = None
        with self._lock:
            for trigger in self._pending:
                if trigger.route is None or trigger.route == route_key:
                    trigger.seen += 1
                    if trigger.seen == trigger.n:
                        if due is None:
                            due = trigger
                        else:
                            trigger.seen -= 1
            if due is not None:
                self._pending.remove(due)
        return due

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
