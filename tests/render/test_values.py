"""Value helpers: paths, compact pretty JSON, sizes."""

from __future__ import annotations

import json

from assistplan.render.values import human_size, parse_path, pretty_lines


def test_values_parses_dotted_indexed_and_quoted_paths() -> None:
    assert parse_path('tools[0].parameters.properties["order id"].enum[2]') == [
        "tools",
        0,
        "parameters",
        "properties",
        "order id",
        "enum",
        2,
    ]


def test_values_parses_quoted_keys_with_dots_and_escaped_quotes() -> None:
    assert parse_path('files["handbook/faq.md"].sha256') == ["files", "handbook/faq.md", "sha256"]
    assert parse_path('metadata["say \\"hi\\""]') == ["metadata", 'say "hi"']


def test_values_keeps_short_json_on_one_line() -> None:
    assert pretty_lines({"type": "string", "enum": ["a", "b"]}) == ['{"type": "string", "enum": ["a", "b"]}']


def test_values_opens_only_the_containers_that_do_not_fit() -> None:
    value = {"description": "x" * 60, "items": {"type": "string"}}
    assert pretty_lines(value) == ["{", f'  "description": "{"x" * 60}",', '  "items": {"type": "string"}', "}"]


def test_values_writes_an_opened_container_like_the_json_encoder_at_every_depth() -> None:
    value = {"a": [{"b": "x" * 40, "c": [1, 2.5, None, True]}, {}], "d": "é"}
    assert pretty_lines(value, 40) == [
        "{",
        '  "a": [',
        "    {",
        f'      "b": "{"x" * 40}",',
        '      "c": [1, 2.5, null, true]',
        "    },",
        "    {}",
        "  ],",
        '  "d": "é"',
        "}",
    ]
    assert pretty_lines(value, 200) == [json.dumps(value, ensure_ascii=False, separators=(", ", ": "))]


def test_values_lays_out_a_repeated_value_the_same_whatever_was_done_to_an_earlier_layout() -> None:
    value = {"description": "x" * 60, "items": {"type": "string"}}
    first = pretty_lines(value)
    expected = list(first)
    first.append("changed by its caller")

    assert pretty_lines(dict(value)) == expected
    assert pretty_lines(value, 200) == [json.dumps(value, ensure_ascii=False, separators=(", ", ": "))]


def test_values_human_sizes() -> None:
    assert [human_size(n) for n in (812, 4_200, 1_248_901)] == ["812 B", "4.1 KiB", "1.2 MiB"]
