"""YAML with positions: plain Python values plus, for every value and key, where it was written.

Built on PyYAML's composer (node) API so that each value keeps its line and column. Positions are reported through
a `LineMap`, which turns a position in the parsed (possibly template-rendered) text into one in the file the user
wrote. Duplicate keys, non-scalar keys, unknown tags, recursive aliases and alias bombs are reported as diagnostics.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from assistplan.diagnostics import Diagnostic, SourcePos, SourceRange

JsonPath = tuple[str | int, ...]

MAX_NODES = 100_000
"""Values per file, counting every expansion of an alias: guards against alias bombs."""
MAX_CHARACTERS = 8_000_000
"""Characters of scalars per file, counting every expansion of an alias."""
_SURROGATE = re.compile("[\ud800-\udfff]")

_STANDARD_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def format_path(path: JsonPath) -> str:
    """`("tools", 2, "type")` -> `tools[2].type`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class LineMap:
    """Maps 0-based (line, column) positions in parsed text to 1-based positions in the source file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def pos(self, line: int, col: int) -> SourcePos:
        return SourcePos(self.file, line + 1, col + 1)


@dataclass(frozen=True)
class Span:
    value: SourceRange
    key: SourceRange | None = None
    raw: str | None = None
    """The scalar's text as written, for hints such as "put it in quotes"."""


class Positions:
    """Where each value (and each mapping key) of one document was written, by JSON path. Given a `record` function
    instead of the spans, they are recorded on first use: most documents are never asked where anything is."""

    def __init__(
        self, spans: dict[JsonPath, Span] | None = None, record: Callable[[], dict[JsonPath, Span]] | None = None
    ) -> None:
        self._spans = spans if spans is not None or record is not None else {}
        self._record = record

    @property
    def spans(self) -> dict[JsonPath, Span]:
        if self._spans is None:
            assert self._record is not None
            self._spans, self._record = self._record(), None
        return self._spans

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Positions) and self.spans == other.spans

    def __repr__(self) -> str:
        return f"Positions({self.spans!r})"

    def _nearest(self, path: JsonPath) -> tuple[JsonPath, Span] | None:
        spans = self.spans
        for length in range(len(path), -1, -1):
            span = spans.get(path[:length])
            if span is not None:
                return path[:length], span
        return None

    def value(self, path: JsonPath) -> SourceRange | None:
        """The value at `path`, or the nearest enclosing value that exists."""
        found = self._nearest(path)
        return found[1].value if found else None

    def key(self, path: JsonPath) -> SourceRange | None:
        """The key naming `path` (or its value when it has no key, e.g. a list item), else the nearest ancestor's."""
        found = self._nearest(path)
        if found is None:
            return None
        return found[1].key or found[1].value

    def raw(self, path: JsonPath) -> str | None:
        span = self.spans.get(path)
        return span.raw if span else None

    def subtree(self, prefix: JsonPath) -> Positions:
        """The positions under `prefix`, re-rooted so that `prefix` becomes `()`."""
        size = len(prefix)
        return Positions({path[size:]: span for path, span in self.spans.items() if path[:size] == prefix})


@dataclass(frozen=True)
class Document:
    value: Any
    positions: Positions
    start: SourceRange
    clean: bool = True
    """False when building the value found problems (already reported): the value has holes, skip it."""


def _node_range(node: Node, linemap: LineMap) -> SourceRange:
    start = linemap.pos(node.start_mark.line, node.start_mark.column)
    end_mark = node.end_mark
    end = linemap.pos(end_mark.line, end_mark.column)
    return SourceRange(start, end if end.file == start.file and end >= start else None)


class _Builder:
    """Turns one composed node tree into plain values, recording positions and problems."""

    def __init__(self, linemap: LineMap, diagnostics: list[Diagnostic]) -> None:
        self.linemap = linemap
        self.diagnostics = diagnostics
        self.positions = Positions()
        self.constructor = yaml.SafeLoader("")

    def range(self, node: Node) -> SourceRange:
        return _node_range(node, self.linemap)

    def error(self, node: Node, message: str) -> None:
        self.diagnostics.append(Diagnostic.error(message, range=self.range(node)))

    def build(self, node: Node, path: JsonPath, key: SourceRange | None, active: frozenset[int]) -> Any:
        if id(node) in active:
            self.error(node, "recursive alias: a value cannot contain itself")
            return None
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
            self.positions.spans[path] = Span(self.range(node), key, node.value)
            return value
        self.positions.spans[path] = Span(self.range(node), key)
        inner = active | {id(node)}
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                self.error(node, f"unsupported YAML tag {node.tag}")
                return None
            return [self.build(item, (*path, index), None, inner) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _MAP_TAG:
                self.error(node, f"unsupported YAML tag {node.tag}")
                return None
            return self.mapping(node, path, inner)
        self.error(node, "unsupported YAML node")
        return None

    def scalar(self, node: ScalarNode) -> Any:
        surrogate = _SURROGATE.search(node.value)
        if surrogate is not None:
            self.error(node, f"invalid Unicode: a lone surrogate (U+{ord(surrogate.group()):04X}) is not a character")
            return None
        if node.tag == _STR_TAG:
            return node.value
        if node.tag not in _STANDARD_SCALAR_TAGS:
            self.error(node, f"unsupported YAML tag {node.tag}")
            return None
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.error(node, f"invalid {node.tag.rsplit(':', 1)[-1]} value {node.value!r}: {exc}")
            return None
        if isinstance(value, datetime.date | datetime.datetime):
            return node.value
        return value

    def mapping(self, node: MappingNode, path: JsonPath, active: frozenset[int]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        seen: dict[str, SourceRange] = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(self.merged_pairs(value_node, active))
                continue
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, "mapping keys must be plain strings")
                continue
            if _SURROGATE.search(key_node.value):
                self.scalar(key_node)
                continue
            key = key_node.value
            key_range = self.range(key_node)
            if key in seen:
                self.error(key_node, f'duplicate key "{key}" (first defined at line {seen[key].start.line})')
                continue
            seen[key] = key_range
            result[key] = self.build(value_node, (*path, key), key_range, active)
        for key_node, value_node in merged:
            if isinstance(key_node, ScalarNode) and key_node.value not in result:
                result[key_node.value] = self.build(value_node, (*path, key_node.value), self.range(key_node), active)
        return result

    def merged_pairs(self, node: Node, active: frozenset[int]) -> list[tuple[Node, Node]]:
        """The key/value pairs a merge key (`<<: *base`) brings in, earlier sources winning."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        pairs: list[tuple[Node, Node]] = []
        for source in sources:
            if not isinstance(source, MappingNode) or id(source) in active:
                self.error(source, "a merge key (<<) needs a mapping or a list of mappings")
                continue
            for key_node, value_node in source.value:
                if key_node.tag == _MERGE_TAG:
                    pairs.extend(self.merged_pairs(value_node, active | {id(source)}))
                else:
                    pairs.append((key_node, value_node))
        return pairs


class _Unclean(Exception):
    """The fast build met something `_Builder` reports (or a nesting it guards): build the document with it."""


_FAST_DEPTH = 64
"""Deeper documents are built by `_Builder` alone, so that both builds fail (or not) at the same depth."""


class _FastBuilder:
    """Plain values from a composed node tree, without positions; raises `_Unclean` wherever `_Builder` would report
    a problem, so that a document it builds is one `_Builder` builds to the same value with no diagnostics."""

    def __init__(self) -> None:
        self.constructor = yaml.SafeLoader("")
        self.active: set[int] = set()

    def value(self, node: Node) -> Any:
        self.active.clear()
        return self.build(node, 0)

    def build(self, node: Node, depth: int) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if depth > _FAST_DEPTH or id(node) in self.active:
            raise _Unclean
        self.active.add(id(node))
        if isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
            value: Any = [self.build(item, depth + 1) for item in node.value]
        elif isinstance(node, MappingNode) and node.tag == _MAP_TAG:
            value = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                    raise _Unclean
                key = key_node.value
                if key in value or (key_node.style == '"' and _SURROGATE.search(key)):
                    raise _Unclean
                value[key] = self.build(value_node, depth + 1)
        else:
            raise _Unclean
        self.active.discard(id(node))
        return value

    def scalar(self, node: ScalarNode) -> Any:
        # The text has no lone surrogate (`parse_documents` checked): only an escape in double quotes makes one
        if node.style == '"' and _SURROGATE.search(node.value):
            raise _Unclean
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        if tag not in _STANDARD_SCALAR_TAGS:
            raise _Unclean
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise _Unclean from exc
        if isinstance(value, datetime.date | datetime.datetime):
            return node.value
        return value


def _recorded(node: Node, linemap: LineMap) -> Callable[[], dict[JsonPath, Span]]:
    """The positions of a document the fast build took, recorded by `_Builder` when first asked for."""

    def record() -> dict[JsonPath, Span]:
        builder = _Builder(linemap, [])
        builder.build(node, (), None, frozenset())
        return builder.positions.spans

    return record


def _mark_range(linemap: LineMap, mark: yaml.Mark | None) -> SourceRange | None:
    if mark is None:
        return None
    return SourceRange(linemap.pos(mark.line, mark.column))


def yaml_error(exc: yaml.YAMLError, linemap: LineMap, text: str) -> Diagnostic:
    """A diagnostic for PyYAML's reader/scanner/parser/composer errors, at the problem's position."""
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n")
        col = len(before) - (before.rfind("\n") + 1)
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Diagnostic.error(
            f"invalid YAML: character {character!r} (U+{ord(character):04X}) is not allowed",
            range=SourceRange(linemap.pos(line, col)),
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.context != problem else ""
        mark = exc.problem_mark or exc.context_mark
        at_end = exc.problem_mark is not None and not text[exc.problem_mark.index :].strip()
        if at_end and exc.context_mark is not None and context:
            # the text ended inside something left open (a `[`, a `{`, a quote): point at where it opened
            context, mark = f" ({exc.context} that opens here)", exc.context_mark
        return Diagnostic.error(f"invalid YAML: {problem}{context}", range=_mark_range(linemap, mark))
    return Diagnostic.error(f"invalid YAML: {exc}", range=SourceRange(linemap.pos(0, 0)))


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (several times faster); its error messages are vaguer, so a
text that fails to parse is parsed again by the pure-Python loader for the report, unless it is large or too deep
(the pure-Python scanner is quadratic in the nesting depth)."""
_REPARSE_LIMIT = 256 * 1024


def _compose(text: str, loader_class: type[yaml.SafeLoader]) -> Iterator[Node | None]:
    loader = loader_class(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def _position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n"), index - (before.rfind("\n") + 1)


class _Expansion:
    """How many values and scalar characters the documents of one file stand for once every alias is expanded."""

    def __init__(self) -> None:
        self.nodes = 0
        self.characters = 0
        self._sizes: dict[int, tuple[int, int]] = {}

    def add(self, node: Node, *, anchored: bool = True) -> str | None:
        """Count one document; the problem when the file goes over a limit. A text without anchors (`anchored`
        false) has no alias: its nodes are a tree, counted without remembering each node."""
        nodes, characters = self._size(node, set()) if anchored else _tree_size(node)
        self.nodes += nodes
        self.characters += characters
        if self.nodes > MAX_NODES:
            return f"document too large: more than {MAX_NODES} values (after expanding aliases)"
        if self.characters > MAX_CHARACTERS:
            return f"document too large: more than {MAX_CHARACTERS} characters (after expanding aliases)"
        return None

    def _size(self, node: Node, active: set[int]) -> tuple[int, int]:
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, ScalarNode):
            size = (1, len(node.value))
        elif id(node) in active:
            return (1, 0)
        else:
            active.add(id(node))
            children: list[Node] = (
                [item for pair in node.value for item in pair] if isinstance(node, MappingNode) else list(node.value)
            )
            nodes, characters = 1, 0
            for child in children:
                child_nodes, child_characters = self._size(child, active)
                nodes, characters = nodes + child_nodes, characters + child_characters
                if nodes > MAX_NODES or characters > MAX_CHARACTERS:
                    break
            active.discard(id(node))
            size = (nodes, characters)
        self._sizes[id(node)] = size
        return size


def _tree_size(root: Node) -> tuple[int, int]:
    """The values and scalar characters of a node tree (no node reached twice)."""
    nodes = characters = 0
    stack = [root]
    while stack:
        node = stack.pop()
        nodes += 1
        if isinstance(node, ScalarNode):
            characters += len(node.value)
        elif isinstance(node, MappingNode):
            for pair in node.value:
                stack.extend(pair)
        else:
            stack.extend(node.value)
    return nodes, characters


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def most_documents(text: str) -> int:
    """At least as many as the documents in `text`, counted without parsing it: every document after the first starts
    with a `---` marker (or, where a parser allows it, follows a `...` one), so there are no more than one plus the
    times either appears."""
    return 1 + text.count("---") + text.count("...")


def document_after(text: str, count: int) -> tuple[int, int] | None:
    """Where the content of the non-empty document after the first `count` starts (line, column), or None when there
    are no more:
    read from the parser's events, without building the documents (many times cheaper). None as well when the text
    does not parse: `parse_documents` reports why."""
    seen = 0
    opened = False
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, yaml.DocumentStartEvent):
                opened = True
            elif opened:
                empty = isinstance(event, yaml.ScalarEvent) and event.implicit[0] and event.value in _NULLS
                if not empty:
                    seen += 1
                    if seen > count:
                        mark = event.start_mark
                        return (mark.line, mark.column) if mark is not None else (0, 0)
                opened = False
    except yaml.YAMLError:
        return None
    return None


def parse_documents(
    text: str, linemap: LineMap, max_documents: int | None = None
) -> tuple[list[Document], list[Diagnostic]]:
    """Every non-empty document in `text` (the first `max_documents` of them), and every problem found (parsing
    stops at the first syntax error)."""
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        message = f"invalid Unicode: a lone surrogate (U+{ord(surrogate.group()):04X}) is not a character"
        return [], [Diagnostic.error(message, range=SourceRange(linemap.pos(*_position(text, surrogate.start()))))]
    documents, diagnostics, failed = _parse(text, linemap, _FAST_LOADER, max_documents)
    if failed and _FAST_LOADER is not yaml.SafeLoader and len(text) <= _REPARSE_LIMIT:
        documents, diagnostics, _ = _parse(text, linemap, yaml.SafeLoader, max_documents)
    return documents, diagnostics


def _document(node: Node, linemap: LineMap, diagnostics: list[Diagnostic], fast: _FastBuilder) -> Document:
    """One document's value; its positions are recorded on first use unless building it found problems."""
    try:
        value = fast.value(node)
    except _Unclean:
        before = len(diagnostics)
        builder = _Builder(linemap, diagnostics)
        value = builder.build(node, (), None, frozenset())
        start = builder.positions.spans[()].value
        return Document(value, builder.positions, start, clean=len(diagnostics) == before)
    return Document(value, Positions(record=_recorded(node, linemap)), _node_range(node, linemap))


def _parse(
    text: str, linemap: LineMap, loader_class: type[yaml.SafeLoader], max_documents: int | None
) -> tuple[list[Document], list[Diagnostic], bool]:
    diagnostics: list[Diagnostic] = []
    documents: list[Document] = []
    expansion = _Expansion()
    anchored = "&" in text  # an alias names an anchor, and an anchor is written `&name`
    fast = _FastBuilder()
    try:
        for node in _compose(text, loader_class):
            if node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
                continue
            too_large = expansion.add(node, anchored=anchored)
            if too_large is not None:
                where = SourceRange(linemap.pos(node.start_mark.line, node.start_mark.column))
                diagnostics.append(Diagnostic.error(too_large, range=where))
                break
            documents.append(_document(node, linemap, diagnostics, fast))
            if max_documents is not None and len(documents) >= max_documents:
                break
    except yaml.YAMLError as exc:
        diagnostics.append(yaml_error(exc, linemap, text))
        return documents, diagnostics, "maximum nesting depth" not in str(exc)
    except RecursionError:
        diagnostics.append(Diagnostic.error("invalid YAML: nesting too deep", range=SourceRange(linemap.pos(0, 0))))
    return documents, diagnostics, False


def parse_single(
    text: str, linemap: LineMap, *, what: str, empty: Callable[[], Any] | None = None
) -> tuple[Document | None, list[Diagnostic]]:
    """Exactly one document (a JSON or YAML file); `empty` gives the value of an empty file, else it is an error."""
    documents, diagnostics = parse_documents(text, linemap)
    if diagnostics:
        return None, diagnostics
    if not documents:
        if empty is not None:
            return Document(empty(), Positions(), SourceRange(linemap.pos(0, 0))), []
        return None, [Diagnostic.error(f"{what} is empty", range=SourceRange(linemap.pos(0, 0)))]
    if len(documents) > 1:
        return None, [Diagnostic.error(f"{what} must hold a single YAML document", range=documents[1].start)]
    return documents[0], []
