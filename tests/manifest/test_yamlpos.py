"""YAML with positions: values, keys and list items keep where they were written; bad YAML is a diagnostic."""

from __future__ import annotations

import textwrap

import pytest

from assistplan.manifest import yamlpos
from assistplan.manifest.yamlpos import LineMap, document_after, most_documents, parse_documents, parse_single


def parse(text: str) -> tuple[list, list[str]]:
    documents, diagnostics = parse_documents(textwrap.dedent(text).lstrip("\n"), LineMap("f.yaml"))
    return documents, [f"{d.range}: {d.summary}" for d in diagnostics]


def test_values_keys_and_items_have_positions() -> None:
    (document,), errors = parse(
        """
        kind: Agent
        tools:
          - type: web_search
            allowed_domains: [a.example, b.example]
        """
    )
    assert errors == []
    positions = document.positions
    assert str(positions.value(("kind",))) == "f.yaml:1:7"
    assert str(positions.key(("kind",))) == "f.yaml:1:1"
    assert str(positions.value(("tools", 0))) == "f.yaml:3:5"
    assert str(positions.key(("tools", 0, "allowed_domains"))) == "f.yaml:4:5"
    assert str(positions.value(("tools", 0, "allowed_domains", 1))) == "f.yaml:4:34"
    assert positions.raw(("kind",)) == "Agent"


def test_missing_paths_fall_back_to_the_nearest_ancestor() -> None:
    (document,), _ = parse("a:\n  b: 1\n")
    assert str(document.positions.value(("a", "c", 0))) == "f.yaml:2:3"
    assert str(document.positions.key(("a", "c"))) == "f.yaml:1:1"


def test_multiple_documents_and_empty_ones() -> None:
    documents, errors = parse("a: 1\n---\n# only a comment\n---\nb: 2\n...\n")
    assert errors == []
    assert [d.value for d in documents] == [{"a": 1}, {"b": 2}]
    assert str(documents[1].start) == "f.yaml:5:1"


def test_keys_are_kept_as_written() -> None:
    (document,), _ = parse("on: 1\n404: x\nnull: y\n")
    assert document.value == {"on": 1, "404": "x", "null": "y"}


def test_dates_stay_strings() -> None:
    (document,), _ = parse("released: 2026-11-23\n")
    assert document.value == {"released": "2026-11-23"}


def test_duplicate_keys_are_errors() -> None:
    documents, errors = parse("a: 1\nb: 2\na: 3\n")
    assert errors == ['f.yaml:3:1: duplicate key "a" (first defined at line 1)']
    assert not documents[0].clean


def test_merge_keys_and_aliases() -> None:
    (document,), errors = parse(
        """
        base: &base {model: gpt-5, service_tier: auto}
        agent:
          <<: *base
          model: gpt-4o
        copy: *base
        """
    )
    assert errors == []
    assert document.value["agent"] == {"model": "gpt-4o", "service_tier": "auto"}
    assert document.value["copy"] == {"model": "gpt-5", "service_tier": "auto"}
    assert str(document.positions.value(("agent", "model"))) == "f.yaml:4:10"


def test_syntax_errors_point_at_the_problem() -> None:
    _, errors = parse("a: [1, 2\nb: 3\n")
    assert errors == ["f.yaml:2:2: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: 1\nb: [1, 2\n",
            "f.yaml:2:4: invalid YAML: expected ',' or ']', but got '<stream end>' (while parsing a "
            "flow sequence that opens here)",
        ),
        (
            "a: 1\nb: {c: 1\n\n",
            "f.yaml:2:4: invalid YAML: expected ',' or '}', but got '<stream end>' (while parsing "
            "a flow mapping that opens here)",
        ),
        (
            'a: "text\n',
            "f.yaml:1:4: invalid YAML: found unexpected end of stream (while scanning a quoted scalar that opens here)",
        ),
    ],
)
def test_what_the_text_ends_inside_is_pointed_at_where_it_opens(text: str, expected: str) -> None:
    _, errors = parse(text)
    assert errors == [expected]


def test_tab_indentation() -> None:
    _, errors = parse("a:\n\tb: 1\n")
    assert errors == [
        "f.yaml:2:1: invalid YAML: found character '\\t' that cannot start any token "
        "(while scanning for the next token)"
    ]


def test_control_characters_are_refused_at_their_position() -> None:
    _, errors = parse("a: 1\nb: x\x07y\n")
    assert errors == ["f.yaml:2:5: invalid YAML: character '\\x07' (U+0007) is not allowed"]


def test_unsupported_tags() -> None:
    _, errors = parse("a: !!binary aGVsbG8=\nb: !!set {x}\nc: !!python/name:os.system x\n")
    assert errors == [
        "f.yaml:1:4: unsupported YAML tag tag:yaml.org,2002:binary",
        "f.yaml:2:4: unsupported YAML tag tag:yaml.org,2002:set",
        "f.yaml:3:4: unsupported YAML tag tag:yaml.org,2002:python/name:os.system",
    ]


def test_non_string_keys_are_refused() -> None:
    _, errors = parse("? [a, b]\n: 1\n")
    assert errors == ["f.yaml:1:3: mapping keys must be plain strings"]


def test_alias_bombs_stop_at_the_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlpos, "MAX_NODES", 1000)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    _, errors = parse("\n".join(lines) + "\n")
    assert errors == ["f.yaml:1:1: document too large: more than 1000 values (after expanding aliases)"]


def test_a_long_document_without_aliases_stops_at_the_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlpos, "MAX_NODES", 1000)
    _, errors = parse("a: [" + ", ".join(["x"] * 1200) + "]\n")
    assert errors == ["f.yaml:1:1: document too large: more than 1000 values (after expanding aliases)"]


def test_documents_without_aliases_count_towards_the_limit_of_their_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlpos, "MAX_NODES", 1000)
    document = "a: [" + ", ".join(["x"] * 400) + "]\n"
    _, errors = parse(document + "---\n" + document + "---\n" + document)
    assert errors == ["f.yaml:5:1: document too large: more than 1000 values (after expanding aliases)"]


def test_recursive_aliases_are_refused() -> None:
    _, errors = parse("a: &a [1, *a]\n")
    assert errors == ["f.yaml:1:4: recursive alias: a value cannot contain itself"]


def test_deep_nesting_is_a_diagnostic() -> None:
    _, errors = parse("[" * 5000 + "]" * 5000 + "\n")
    assert errors == ["f.yaml:1:1001: invalid YAML: exceeded maximum nesting depth (while increasing flow level)"]


def test_parse_single_rejects_several_documents() -> None:
    document, errors = parse_single("a: 1\n---\nb: 2\n", LineMap("s.json"), what='"s.json"')
    assert document is None
    assert [f"{d.range}: {d.summary}" for d in errors] == ['s.json:3:1: "s.json" must hold a single YAML document']


def test_the_document_after_a_count_is_found_without_building_the_documents() -> None:
    text = "a: 1\n---\n---\nb: 2\n---\nc: 3\n"

    assert document_after(text, 1) == (3, 0)
    assert document_after(text, 2) == (5, 0)
    assert document_after(text, 3) is None


def test_documents_are_never_more_than_their_markers_allow() -> None:
    text = "a: 1\n---\nb: 2\n...\n---\nc: '---'\n"
    documents, _ = parse_documents(text, LineMap("x.yaml"))

    assert len(documents) == 3
    assert most_documents(text) >= len(documents)
    assert most_documents("a: 1\n") == 1


def test_a_text_that_does_not_parse_has_no_document_after_a_count() -> None:
    assert document_after("a: 1\n---\nb: [2\n---\nc: 3\n", 2) is None


def test_positions_of_a_document_without_problems_are_recorded_when_first_asked() -> None:
    (document,), errors = parse("kind: Agent\nname: a\ntools:\n  - {type: web_search}\n")
    assert errors == []
    assert document.value == {"kind": "Agent", "name": "a", "tools": [{"type": "web_search"}]}
    assert str(document.start) == "f.yaml:1:1"
    assert str(document.positions.value(("tools", 0, "type"))) == "f.yaml:4:12"
    assert document.positions.raw(("name",)) == "a"


def test_a_deeply_nested_document_has_the_same_values_and_positions() -> None:
    depth = 100
    text = "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + f"{'  ' * depth}leaf: 1\n"
    (document,), errors = parse(text)
    assert errors == []
    value = document.value
    for level in range(depth):
        value = value[f"k{level}"]
    assert value == {"leaf": 1}
    path = (*(f"k{level}" for level in range(depth)), "leaf")
    assert str(document.positions.value(path)) == f"f.yaml:{depth + 1}:{2 * depth + 7}"


def test_an_escaped_lone_surrogate_is_refused() -> None:
    _, errors = parse('a: "x\\ud800y"\n')
    assert errors == ["f.yaml:1:4: invalid Unicode: a lone surrogate (U+D800) is not a character"]
