"""When the cyclic garbage collector runs, for a command run as a program (the console script, `python -m`).

A command builds its data once (manifests, state, live objects, specs, the plan) and keeps nearly all of it to the
end, so collections, each walking the objects built so far, find almost nothing: they cost about a fifth of the CPU
of a no-op plan of 5,000 agents. So the collector is off while a command loads and plans (`pause`), and `resume`s
before a long run of requests (an apply), with everything built so far frozen out of its collections; from then on
the oldest objects are also collected less often (`OLD_COLLECTIONS`). What the command built is `keep`-ed to the end
of the process rather than freed object by object as the command returns: the process ends with `os._exit`
(`assistplan.cli.main`), which frees it all at once. Called from other code (tests, an embedding program), the
collector is left alone and nothing is kept.
"""

from __future__ import annotations

import gc

OLD_COLLECTIONS = 100
"""Collections of the middle generation between two full collections when run as a program (Python's default: 10)."""

_program = False


def run_as_program() -> None:
    """`main` runs as the program: from now on `pause` and `resume` take effect."""
    global _program
    _program = True
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, OLD_COLLECTIONS)


def pause() -> None:
    """The command is about to load and plan: no cyclic collection until `resume` (or the end of the process)."""
    if _program:
        gc.disable()


def resume() -> None:
    """The command is about to make many requests: collect cycles again, leaving out everything built so far."""
    if _program and not gc.isenabled():
        gc.freeze()
        gc.enable()


_kept: list[object] = []


def keep(*objects: object) -> None:
    """The command is done with `objects` (its manifests, state, live objects, plan): run as a program, they are kept
    to the end of the process, which ends with `os._exit`, instead of being freed one by one as the command returns
    (for a plan of 5,000 agents, about a tenth of a second after the answer is printed)."""
    if _program:
        _kept.extend(objects)
