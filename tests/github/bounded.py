"""Running a call that might block forever (on a FIFO) so that the test fails instead of hanging."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def bounded(call: Callable[[], T]) -> T:
    """What `call()` returns or raises, run in a thread; AssertionError when it is still running after a minute."""
    outcome: list[T] = []
    raised: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # handed to the caller
            raised.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=60)  # a bound, not a wait: a call blocked on a FIFO never ends
    assert not thread.is_alive(), "the call blocked"
    if raised:
        raise raised[0]
    return outcome[0]
