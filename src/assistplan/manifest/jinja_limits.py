"""Jinja2's SandboxedEnvironment with bounded work: loop iterations, calls, value sizes, number sizes and output.

The sandbox's hooks (`call`, `call_binop`, `wrap_str_format`) check what a template computes; its parsed tree is
instrumented so that every loop item, every piece of output and every `~` concatenation is counted as well. A template
that goes over a limit fails with TemplateLimitError, which the renderer reports at the template's line.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_STEPS = 100_000
"""Loop iterations and calls per rendering."""
MAX_VALUE_LENGTH = 1_000_000
"""Characters of a string, or items of a list or mapping, that a template builds."""
MAX_PRODUCED = 32_000_000
"""Characters and items built in all, output included, per rendering."""
MAX_INT_BITS = 4096
"""Bits of an integer a template computes."""
MAX_ARGUMENT = 100_000
"""An integer argument to a filter or method (widths, counts)."""
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_REMOVED_GLOBALS = ("lipsum",)
_REMOVED_FILTERS = ("pprint", "urlize", "xmlattr")


class TemplateLimitError(Exception):
    """A template did more work, or built a larger value, than the limits allow."""


def _size(value: Any) -> int:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        return len(value)
    return 1


def _check_arguments(args: Iterable[Any]) -> None:
    for value in args:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise TemplateLimitError(f"an argument of {value} is larger than {MAX_ARGUMENT}, the most allowed")
        if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            raise TemplateLimitError(f"a string argument longer than {MAX_VALUE_LENGTH} characters")


def _check_percent_format(text: str) -> None:
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number is not None and number != "*" and int(number) > MAX_ARGUMENT:
                raise TemplateLimitError(f"a format width of {number} is larger than {MAX_ARGUMENT}")


def _check_format_spec(text: str) -> None:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return
    for _, _, spec, _ in parts:
        for number in re.findall(r"\d+", spec or ""):
            if int(number) > MAX_ARGUMENT:
                raise TemplateLimitError(f"a format width of {number} is larger than {MAX_ARGUMENT}")


def _join_size(items: list[Any], separator: str) -> int:
    return sum(len(str(item)) for item in items) + len(separator) * max(len(items) - 1, 0)


class _Instrument(NodeTransformer):
    """Routes loop items, output pieces and `~` concatenations through the environment's counters."""

    def _wrap(self, method: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
        return nodes.Call(nodes.EnvironmentAttribute(method, lineno=lineno), args, [], None, None, lineno=lineno)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._wrap("counted", [cast(nodes.Expr, node.iter)], node.lineno)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [self._wrap("emitted", [child], child.lineno) for child in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return self._wrap("concatenated", list(node.nodes), node.lineno)

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        if isinstance(node.node, nodes.Name) and node.node.name == "loop" and node.args:
            node.args = [self._wrap("counted", [node.args[0]], node.lineno), *node.args[1:]]
        return node


class BoundedSandbox(SandboxedEnvironment):
    """A SandboxedEnvironment whose templates are instrumented and whose work is counted per rendering."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.steps = 0
        self.produced = 0
        for name in _REMOVED_GLOBALS:
            self.globals.pop(name, None)
        self.globals["range"] = self.bounded_range
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters = {name: self._bounded_filter(name, function) for name, function in self.filters.items()}
        self._own = {self.counted, self.emitted, self.concatenated}

    def instrumented(self, source: str) -> nodes.Template:
        """The parsed template, with its loops, output and concatenations counted (raises TemplateSyntaxError)."""
        tree: nodes.Template = _Instrument().visit(self.parse(source))
        tree.set_environment(self)
        return tree

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TemplateLimitError(f"more than {MAX_STEPS} loop iterations and calls")

    def produce(self, value: Any) -> Any:
        """Count what a template built; refuse a value or a total over the limits."""
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
            raise TemplateLimitError(f"a number larger than {MAX_INT_BITS} bits")
        size = _size(value)
        if size > MAX_VALUE_LENGTH:
            raise TemplateLimitError(f"a value of {size} characters or items, more than {MAX_VALUE_LENGTH}")
        self.produced += size
        if self.produced > MAX_PRODUCED:
            raise TemplateLimitError(f"more than {MAX_PRODUCED} characters and items built in all")
        return value

    def bounded_range(self, *args: int) -> Iterator[int]:
        for number in range(*args):
            self.step()
            yield number

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.step()
            yield item

    def emitted(self, value: Any) -> str:
        return str(self.produce(str(value)))

    def concatenated(self, *values: Any) -> str:
        total = 0
        for value in values:
            total += len(str(value))
            if total > MAX_VALUE_LENGTH:
                raise TemplateLimitError(f"a string longer than {MAX_VALUE_LENGTH} characters")
        return str(self.produce("".join(str(value) for value in values)))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if __obj in __self._own:
            return __obj(*args)
        __self.step()
        _check_arguments((*args, *kwargs.values()))
        if getattr(__obj, "__self__", None).__class__ is str:
            __self._check_str_method(__obj, args)
        return __self.produce(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))

    def _check_str_method(self, method: Any, args: tuple[Any, ...]) -> None:
        text: str = method.__self__
        name = method.__name__
        if name == "expandtabs":
            raise TemplateLimitError("str.expandtabs is not allowed")
        if name == "join" and args:
            items = list(args[0])
            if _join_size(items, text) > MAX_VALUE_LENGTH:
                raise TemplateLimitError(f"a joined string longer than {MAX_VALUE_LENGTH} characters")
        if name == "replace" and len(args) >= 2:
            self._check_replace(text, str(args[0]), str(args[1]))

    @staticmethod
    def _check_replace(text: str, old: str, new: str) -> None:
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * max(len(new) - len(old), 0) > MAX_VALUE_LENGTH:
            raise TemplateLimitError(f"a replacement longer than {MAX_VALUE_LENGTH} characters")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.step()
        if self._huge_power(operator, left, right):
            raise TemplateLimitError(f"{left} ** {right} is larger than {MAX_INT_BITS} bits")
        if operator == "*":
            self._check_product(left, right)
        if operator == "%" and isinstance(left, str):
            _check_percent_format(left)
            _check_arguments(right if isinstance(right, tuple) else (right,))
        return self.produce(super().call_binop(context, operator, left, right))

    @staticmethod
    def _huge_power(operator: str, left: Any, right: Any) -> bool:
        if operator != "**" or not isinstance(left, int) or not isinstance(right, int):
            return False
        return abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_INT_BITS

    @staticmethod
    def _check_product(left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimitError(f"a number larger than {MAX_INT_BITS} bits")
            return
        sequence, times = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(times, int) and _size(sequence) * max(times, 0) > MAX_VALUE_LENGTH:
            raise TemplateLimitError(f"a repetition longer than {MAX_VALUE_LENGTH} characters or items")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """The sandbox's `str.format`, refused up front when the format asks for huge widths."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format_spec(value.__self__)
        return wrapped

    def _bounded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.step()
            first = next((index for index, value in enumerate(args) if not _is_jinja_internal(value)), len(args))
            arguments = list(args)
            if name == "join" and first < len(arguments):
                arguments[first] = list(self.counted(arguments[first]))
            _check_arguments((*arguments[first + 1 :], *kwargs.values()))
            self._check_filter(name, arguments[first:], kwargs)
            return self.produce(function(*arguments, **kwargs))

        return bounded

    def _check_filter(self, name: str, values: list[Any], kwargs: dict[str, Any]) -> None:
        """Refuse, before it runs, a filter call whose result would be over the limits."""
        if not values:
            return
        subject, options = values[0], values[1:]
        if name == "format" and isinstance(subject, str):
            _check_percent_format(subject)
        elif name == "replace" and len(options) >= 2:
            self._check_replace(str(subject), str(options[0]), str(options[1]))
        elif name == "join":
            separator = str(options[0] if options else kwargs.get("d", ""))
            if _join_size(subject, separator) > MAX_VALUE_LENGTH:
                raise TemplateLimitError(f"a joined string longer than {MAX_VALUE_LENGTH} characters")
        elif name == "indent":
            width = options[0] if options else kwargs.get("width", 4)
            width_size = width if isinstance(width, int) else len(str(width))
            if width_size * (str(subject).count("\n") + 1) > MAX_VALUE_LENGTH:
                raise TemplateLimitError(f"an indented text longer than {MAX_VALUE_LENGTH} characters")
        elif name == "tojson":
            indent = options[0] if options else kwargs.get("indent")
            if isinstance(indent, int) and indent > 16:
                raise TemplateLimitError("tojson indents by at most 16")
        elif name == "wordwrap" and len(str(kwargs.get("wrapstring") or "")) > 16:
            raise TemplateLimitError("wordwrap's wrapstring is at most 16 characters")


def _is_jinja_internal(value: Any) -> bool:
    """The environment, context or eval context Jinja passes to some filters first."""
    module = type(value).__module__ or ""
    return module.startswith("jinja2") or isinstance(value, SandboxedEnvironment)
