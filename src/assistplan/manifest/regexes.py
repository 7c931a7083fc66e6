"""Regular expressions matched without backtracking, so that no pattern written in a manifest can make matching take
exponential time: Python's `re` backtracks, and a pattern such as `(a+)+$` takes exponential time on some values.

A pattern is parsed by `re` and matched by an automaton (`Automaton`) in time proportional to the value's length times
the pattern's size. It matches exactly the values `re.fullmatch` does; what no automaton can express (backreferences,
lookarounds, conditional and atomic groups, possessive quantifiers) is refused, and so is a pattern that expands to
more than `REGEX_MAX_SIZE` elements. The parse and each element's compilation are `re`'s own, through its private
modules `re._parser` and `re._compiler` (present in every Python this project supports).
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

REGEX_MAX_SIZE = 1000
"""The most elements a `re:` pattern may expand to, counting a counted repetition's body once per repetition: the steps
matching takes per character of the value are proportional to it."""
MATCHABLE = ("LITERAL", "NOT_LITERAL", "ANY", "IN", "AT", "SUBPATTERN", "BRANCH", "MAX_REPEAT", "MIN_REPEAT")
"""The elements of `re`'s parsed patterns (by node name) that an automaton matches."""
UNMATCHABLE = {
    "GROUPREF": "a backreference",
    "GROUPREF_EXISTS": "a conditional group",
    "ASSERT": "a lookahead or lookbehind",
    "ASSERT_NOT": "a lookahead or lookbehind",
    "ATOMIC_GROUP": "an atomic group",
    "POSSESSIVE_REPEAT": "a possessive quantifier",
}
"""How messages name the elements a `re:` pattern may not use."""

_parser: Any = importlib.import_module("re._parser")
"""Python's own regular expression parser and compiler (private modules of `re`, untyped)."""
_compiler: Any = importlib.import_module("re._compiler")


class UnmatchablePattern(ValueError):
    """A `re:` pattern that `Automaton` refuses; str() says why."""


Edge = tuple[re.Pattern[str] | None, bool, int]
"""An automaton's transition: the test (None: always), whether it reads a character, and the state it leads to."""


class Automaton:
    """A Python regular expression as a nondeterministic automaton (Thompson's construction), matched against a whole
    value by following every path at once: no backtracking, a bounded number of steps per character.

    `re` parses the expression; each character class, literal and anchor is a one-element pattern compiled by `re`
    with the flags in force where it stands, so it means what it means to `re`.
    """

    def __init__(self, expression: str) -> None:
        """Raises `re.error`, `OverflowError` or `RecursionError` for what `re` cannot compile, `UnmatchablePattern`
        for what no automaton can express or what is too large."""
        parsed = _parser.parse(expression)
        self.parsed_state = parsed.state
        """`re`'s parser state: the pattern's global flags and groups, which each element is compiled with."""
        self.size = 0
        self.edges: list[list[Edge]] = [[]]
        self.accept = self._sequence(list(parsed), 0, ())

    def fullmatch(self, value: str) -> bool:
        """Whether the expression matches the whole of `value` (as `re.fullmatch` would)."""
        current = self._closure({0}, value, 0)
        for position in range(len(value)):
            moved = {
                target
                for state in current
                for test, reads, target in self.edges[state]
                if reads and test is not None and test.match(value, position)
            }
            if not moved:
                return False
            current = self._closure(moved, value, position + 1)
        return self.accept in current

    def _closure(self, states: set[int], value: str, position: int) -> set[int]:
        """`states` and every state reached from them at `position` without reading a character."""
        reached = set(states)
        todo = list(states)
        while todo:
            for test, reads, target in self.edges[todo.pop()]:
                if not reads and target not in reached and (test is None or test.match(value, position)):
                    reached.add(target)
                    todo.append(target)
        return reached

    def _grow(self) -> None:
        """Count one more element or repetition, refusing a pattern that grows beyond `REGEX_MAX_SIZE`."""
        self.size += 1
        if self.size > REGEX_MAX_SIZE:
            raise UnmatchablePattern(
                f"the regular expression is too large: it expands to more than {REGEX_MAX_SIZE} elements (a counted "
                "repetition such as {10} counts its body each time)"
            )

    def _new(self) -> int:
        """A new state, with no transitions yet."""
        self.edges.append([])
        return len(self.edges) - 1

    def _sequence(self, nodes: list[Any], start: int, flags: tuple[tuple[int, int], ...]) -> int:
        """Add `nodes` (parsed elements, under the local `flags` groups) after state `start`; return where they end."""
        for node in nodes:
            start = self._element(node, start, flags)
        return start

    def _element(self, node: Any, start: int, flags: tuple[tuple[int, int], ...]) -> int:
        """Add one parsed element after state `start`; return where it ends."""
        op, argument = node
        name = op.name
        self._grow()
        if name not in MATCHABLE:
            raise UnmatchablePattern(
                f"{UNMATCHABLE.get(name, 'this construct')} cannot be used in a policy pattern (patterns are matched "
                "without backtracking, so that no pattern can make matching take exponential time)"
            )
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN", "AT"):
            end = self._new()
            self.edges[start].append((self._compiled(node, flags), name != "AT", end))
            return end
        if name == "SUBPATTERN":
            _group, added, removed, body = argument
            return self._sequence(list(body), start, (*flags, (added, removed)) if added or removed else flags)
        if name == "BRANCH":
            end = self._new()
            for alternative in argument[1]:
                begin = self._new()
                self.edges[start].append((None, False, begin))
                self.edges[self._sequence(list(alternative), begin, flags)].append((None, False, end))
            return end
        low, high, body = argument  # MAX_REPEAT or MIN_REPEAT: the same values match either way
        for _ in range(low):
            self._grow()
            start = self._sequence(list(body), start, flags)
        if high == _parser.MAXREPEAT:
            loop = self._new()
            self.edges[start].append((None, False, loop))
            self.edges[self._sequence(list(body), loop, flags)].append((None, False, loop))
            return loop
        end = self._new()
        for _ in range(high - low):
            self._grow()
            self.edges[start].append((None, False, end))
            start = self._sequence(list(body), start, flags)
        self.edges[start].append((None, False, end))
        return end

    def _compiled(self, node: Any, flags: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
        """One element as a pattern of its own, inside the local flag groups it stands in."""
        for added, removed in reversed(flags):
            node = (_parser.SUBPATTERN, (None, added, removed, _parser.SubPattern(self.parsed_state, [node])))
        compiled: re.Pattern[str] = _compiler.compile(_parser.SubPattern(self.parsed_state, [node]))
        return compiled


@functools.lru_cache(maxsize=256)
def automaton(expression: str) -> Automaton:
    """The automaton of a `re:` pattern's expression, made once."""
    return Automaton(expression)
