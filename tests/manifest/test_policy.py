"""The `policy` section of assistplan.yaml: every rule passes a manifest that follows it and reports one that does
not, at the offending value, with the rule's severity."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistplan.diagnostics import Diagnostic, Diagnostics
from assistplan.errors import ManifestError
from assistplan.manifest.policy_models import matches
from assistplan.manifest.regexes import REGEX_MAX_SIZE
from manifest.conftest import Loader, write_tree

AGENT = """
kind: Agent
name: support
model: gpt-5
tools:
  - function: lookup
  - type: web_search
  - type: mcp
    server_label: docs
    transport: {type: http, server_url: "https://mcp.acme.com/sse"}
metadata: {team: support}
"""

FUNCTION = """
kind: Function
name: lookup
description: Look up an order.
parameters: {type: object, properties: {}}
"""

ASSISTANT = """
kind: Assistant
name: helper
model: o4-mini
tools: [code_interpreter, file_search]
temperature: 0.7
top_p: 0.5
"""

CREDENTIAL = """
kind: Vault
name: keys
---
kind: VaultCredential
name: github
vault: keys
auth:
  type: static_bearer
  mcp_server_url: https://mcp.github.com/mcp
  token: {env: GITHUB_TOKEN}
"""


def config(policy: str) -> str:
    return "project: test\npolicy:\n" + "".join(f"  {line}\n" for line in policy.strip().splitlines())


def lines(diagnostics: Diagnostics | list[Diagnostic]) -> list[str]:
    """`file:line:col: severity: message` for every diagnostic, sorted by position."""
    shown = []
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        where = f"{diagnostic.range.start}: " if diagnostic.range else ""
        shown.append(f"{where}{diagnostic.severity.value}: {diagnostic.summary}")
    return shown


def problems(load: Loader, policy: str, manifests: dict[str, str], **options: object) -> list[str]:
    """The diagnostics of a project that fails to load."""
    with pytest.raises(ManifestError) as caught:
        load({"assistplan.yaml": config(policy), **manifests}, **options)
    return lines(caught.value.diagnostics)


def warnings(load: Loader, policy: str, manifests: dict[str, str]) -> list[str]:
    """The warnings of a project that loads."""
    return lines(load({"assistplan.yaml": config(policy), **manifests}).warnings)


# models


def test_a_model_matching_a_glob_is_allowed(load: Loader) -> None:
    assert warnings(load, 'models: {allow: ["gpt-5*", o4-mini]}', {"a.yaml": AGENT, "f.yaml": FUNCTION}) == []


def test_a_model_matching_no_pattern_is_an_error_at_the_model(load: Loader) -> None:
    found = problems(load, "models: {allow: [gpt-4o]}", {"a.yaml": AGENT, "f.yaml": FUNCTION})
    assert found == ['a.yaml:3:8: error: model: "gpt-5" is not an allowed model']


def test_a_model_matching_a_regular_expression_is_allowed(load: Loader) -> None:
    assert warnings(load, 'models: {allow: ["re:o[34]-mini"]}', {"a.yaml": ASSISTANT}) == []


def test_a_regular_expression_must_match_the_whole_model(load: Loader) -> None:
    found = problems(load, 'models: {allow: ["re:o4"]}', {"a.yaml": ASSISTANT})
    assert found == ['a.yaml:3:8: error: model: "o4-mini" is not an allowed model']


def test_a_model_given_by_a_template_is_checked_as_rendered(load: Loader) -> None:
    agent = AGENT.replace("model: gpt-5", 'model: "{{ vars.model }}"')
    found = problems(
        load, "models: {allow: [gpt-5]}", {"a.yaml": agent, "f.yaml": FUNCTION}, cli_vars={"model": "gpt-4o"}
    )
    assert found == ['a.yaml:3:8: error: model: "gpt-4o" is not an allowed model']


def test_a_flowise_assistant_chat_model_is_checked(load: Loader) -> None:
    flowise = """
    kind: FlowiseCredential
    name: openai
    credential: openAIApi
    secrets: {openAIApiKey: {env: OPENAI_API_KEY}}
    ---
    kind: FlowiseAssistant
    name: bot
    type: CUSTOM
    credential: openai
    chat_model: {name: chatOpenAI, model: gpt-4o-mini, temperature: 1.2}
    """
    files = {
        "assistplan.yaml": config("models: {allow: [gpt-5]}\nlimits: {temperature: {max: 1}}")
        + "flowise: {url: http://127.0.0.1:3000}\n",
        "flowise.yaml": flowise,
    }
    with pytest.raises(ManifestError) as caught:
        load(files)
    assert lines(caught.value.diagnostics) == [
        'flowise.yaml:10:39: error: chat_model.model: "gpt-4o-mini" is not an allowed model',
        "flowise.yaml:10:65: error: chat_model.temperature: 1.2 is above the maximum 1",
    ]


# tool types


def test_allowed_tool_types_pass(load: Loader) -> None:
    policy = "tool_types: {allow: [function, web_search, mcp, code_interpreter, file_search]}"
    assert warnings(load, policy, {"a.yaml": AGENT, "f.yaml": FUNCTION, "b.yaml": ASSISTANT}) == []


def test_an_agent_tool_of_another_type_is_an_error_at_its_type(load: Loader) -> None:
    found = problems(load, "tool_types: {allow: [function, mcp]}", {"a.yaml": AGENT, "f.yaml": FUNCTION})
    assert found == ['a.yaml:6:11: error: tools[1].type: "web_search" is not an allowed tool type']


def test_a_function_tool_has_the_type_function(load: Loader) -> None:
    found = problems(load, "tool_types: {allow: [web_search, mcp]}", {"a.yaml": AGENT, "f.yaml": FUNCTION})
    assert found == ['a.yaml:5:15: error: tools[0].function: "function" is not an allowed tool type']


def test_an_assistant_builtin_tool_is_reported_at_its_item(load: Loader) -> None:
    found = problems(load, "tool_types: {allow: [file_search]}", {"a.yaml": ASSISTANT})
    assert found == ['a.yaml:4:9: error: tools[0]: "code_interpreter" is not an allowed tool type']


# MCP hosts


def test_an_mcp_server_on_an_allowed_host_passes(load: Loader) -> None:
    policy = 'mcp_hosts: {allow: ["*.acme.com", mcp.github.com]}'
    assert warnings(load, policy, {"a.yaml": AGENT, "f.yaml": FUNCTION, "c.yaml": CREDENTIAL}) == []


def test_an_mcp_tool_on_another_host_is_an_error_at_its_url(load: Loader) -> None:
    found = problems(load, "mcp_hosts: {allow: [mcp.acme.org]}", {"a.yaml": AGENT, "f.yaml": FUNCTION})
    assert found == [
        'a.yaml:9:41: error: tools[2].transport.server_url: host "mcp.acme.com" is not an allowed MCP server host'
    ]


def test_an_mcp_url_that_is_no_url_is_an_error_at_it_not_a_crash(load: Loader) -> None:
    agent = AGENT.replace("https://mcp.acme.com/sse", "http://[::1")
    found = problems(load, 'mcp_hosts: {allow: ["*.acme.com"]}', {"a.yaml": agent, "f.yaml": FUNCTION})
    assert found == [
        'a.yaml:9:41: error: tools[2].transport.server_url: host "http://[::1" is not an allowed MCP server host'
    ]


def test_a_vault_credential_for_another_host_is_an_error_at_its_url(load: Loader) -> None:
    found = problems(load, 'mcp_hosts: {allow: ["*.acme.com"]}', {"c.yaml": CREDENTIAL})
    assert found == ['c.yaml:9:19: error: auth.mcp_server_url: host "mcp.github.com" is not an allowed MCP server host']


# required metadata


def test_resources_carrying_the_required_keys_pass(load: Loader) -> None:
    policy = "required_metadata: [{keys: [team], kinds: [Agent]}]"
    assert warnings(load, policy, {"a.yaml": AGENT, "f.yaml": FUNCTION, "b.yaml": ASSISTANT}) == []


def test_a_missing_key_is_an_error_at_the_metadata(load: Loader) -> None:
    found = problems(load, "required_metadata: [{keys: [team, owner]}]", {"a.yaml": AGENT, "f.yaml": FUNCTION})
    assert found == ['a.yaml:10:11: error: metadata: missing required key "owner"']


def test_a_resource_without_metadata_is_reported_at_its_start(load: Loader) -> None:
    found = problems(load, "required_metadata: [{keys: [team, owner]}]", {"b.yaml": ASSISTANT})
    assert found == ['b.yaml:1:1: error: missing required metadata keys "team", "owner"']


def test_kinds_without_metadata_are_not_asked_for_it(load: Loader) -> None:
    assert warnings(load, "required_metadata: [{keys: [team]}]", {"a.yaml": AGENT, "f.yaml": FUNCTION}) == []


# limits


def test_values_within_the_limits_pass(load: Loader) -> None:
    assert warnings(load, "limits: {temperature: {max: 1}, top_p: {min: 0.1, max: 0.9}}", {"b.yaml": ASSISTANT}) == []


def test_a_temperature_above_the_maximum_is_an_error_at_the_value(load: Loader) -> None:
    found = problems(load, "limits: {temperature: {max: 0.5}}", {"b.yaml": ASSISTANT})
    assert found == ["b.yaml:5:14: error: temperature: 0.7 is above the maximum 0.5"]


def test_a_top_p_below_the_minimum_is_an_error_at_the_value(load: Loader) -> None:
    found = problems(load, "limits: {top_p: {min: 0.8}}", {"b.yaml": ASSISTANT})
    assert found == ["b.yaml:6:8: error: top_p: 0.5 is below the minimum 0.8"]


# severity


def test_a_rule_set_to_warning_reports_and_loads(load: Loader) -> None:
    found = warnings(load, "models: {allow: [gpt-4o], severity: warning}", {"b.yaml": ASSISTANT})
    assert found == ['b.yaml:3:8: warning: model: "o4-mini" is not an allowed model']


def test_a_violation_names_its_rule_and_what_it_allows(load: Loader) -> None:
    project = load({"assistplan.yaml": config('models: {allow: ["gpt-5*"], severity: warning}'), "b.yaml": ASSISTANT})
    (warning,) = project.warnings
    assert (warning.address, warning.detail) == ("Assistant/helper", 'policy.models allows "gpt-5*"')


def test_errors_and_warnings_are_reported_together(load: Loader) -> None:
    policy = "models: {allow: [gpt-5]}\ntool_types: {allow: [file_search], severity: warning}"
    assert problems(load, policy, {"b.yaml": ASSISTANT}) == [
        'b.yaml:3:8: error: model: "o4-mini" is not an allowed model',
        'b.yaml:4:9: warning: tools[0]: "code_interpreter" is not an allowed tool type',
    ]


# the policy itself


def test_an_invalid_regular_expression_is_an_error_in_assistplan_yaml(load: Loader) -> None:
    found = problems(load, 'models: {allow: [gpt-5, "re:gpt-(5"]}', {})
    assert found == [
        "assistplan.yaml:3:27: error: policy.models.allow[1]: not a regular expression: "
        "missing ), unterminated subpattern at position 4"
    ]


def test_a_repetition_count_too_large_for_python_is_an_error_in_assistplan_yaml(load: Loader) -> None:
    found = problems(load, 'models: {allow: ["re:a{99999999999}"]}', {})
    assert found == [
        "assistplan.yaml:3:20: error: policy.models.allow[0]: not a regular expression: the repetition number is "
        "too large"
    ]


def test_a_regular_expression_nested_too_deeply_is_an_error_in_assistplan_yaml(load: Loader) -> None:
    nested = "(" * 5000 + "a" + ")" * 5000
    found = problems(load, f'models: {{allow: ["re:{nested}"]}}', {})
    assert found == [
        "assistplan.yaml:3:20: error: policy.models.allow[0]: not a regular expression: its groups are nested too "
        "deeply"
    ]


def test_a_backreference_is_refused_in_a_policy_pattern(load: Loader) -> None:
    found = problems(load, 'mcp_hosts: {allow: ["re:(a+)\\\\1"]}', {})
    assert found == [
        "assistplan.yaml:3:23: error: policy.mcp_hosts.allow[0]: a backreference cannot be used in a policy pattern "
        "(patterns are matched without backtracking, so that no pattern can make matching take exponential time)"
    ]


def test_a_lookahead_is_refused_in_a_policy_pattern(load: Loader) -> None:
    found = problems(load, 'models: {allow: ["re:(?!gpt-4).*"]}', {})
    assert found == [
        "assistplan.yaml:3:20: error: policy.models.allow[0]: a lookahead or lookbehind cannot be used in a policy "
        "pattern (patterns are matched without backtracking, so that no pattern can make matching take exponential "
        "time)"
    ]


def test_a_policy_pattern_expanding_beyond_the_limit_is_refused(load: Loader) -> None:
    found = problems(load, 'models: {allow: ["re:(a{40}){40}"]}', {})
    assert found == [
        "assistplan.yaml:3:20: error: policy.models.allow[0]: the regular expression is too large: it expands to "
        f"more than {REGEX_MAX_SIZE} elements (a counted repetition such as {{10}} counts its body each time)"
    ]


def test_a_pattern_that_backtracks_catastrophically_in_re_is_checked_in_bounded_time(project_dir: Path) -> None:
    model = "a" * 40 + "!"  # re.fullmatch("(a+)+$", model) would try 2**40 ways
    policy = config('models: {allow: ["re:(a+)+$"]}')
    write_tree(project_dir, {"assistplan.yaml": policy, "b.yaml": ASSISTANT.replace("o4-mini", model)})
    validate = [sys.executable, "-m", "assistplan", "validate"]
    run = subprocess.run(validate, cwd=project_dir, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 1
    assert run.stderr.startswith(f'b.yaml:3:8: error: model: "{model}" is not an allowed model')


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        ("(?i)GPT-(4o|5)(-mini)?", "gpt-5-MINI"),
        ("o[34]-mini", "o3-mini"),
        (r"\w+-\d{4}-\d{2}-\d{2}", "gpt_4o-2024-08-06"),
        ("gpt-5.*?", "gpt-5.1"),
        ("(a|ab)(c|bcd)(d*)", "abcd"),
        ("x$", "x"),
        ("(?:a*)*b", "aaab"),
        ("(?i:A)b", "ab"),
    ],
)
def test_a_policy_pattern_matches_what_re_fullmatch_matches(pattern: str, value: str) -> None:
    assert re.fullmatch(pattern, value)
    assert matches(value, [f"re:{pattern}"])


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        ("o[34]-mini", "o5-mini"),
        ("(?i:A)b", "aB"),
        ("x$", "x\n"),
        (r"\bgpt", "-gpt"),
        ("[^a-c]+", "abc"),
    ],
)
def test_a_policy_pattern_refuses_what_re_fullmatch_refuses(pattern: str, value: str) -> None:
    assert not re.fullmatch(pattern, value)
    assert not matches(value, [f"re:{pattern}"])


def test_required_metadata_names_kinds_with_metadata(load: Loader) -> None:
    found = problems(load, "required_metadata: [{keys: [team], kinds: [Agnet, Function]}]", {})
    assert found[0] == (
        'assistplan.yaml:3:46: error: policy.required_metadata[0].kinds[0]: "Agnet" is not a kind with metadata '
        '(did you mean "Agent"?)'
    )
    assert found[1].startswith(
        'assistplan.yaml:3:53: error: policy.required_metadata[0].kinds[1]: "Function" is not a kind with metadata: '
        "expected one of "
    )


def test_a_limit_needs_a_bound(load: Loader) -> None:
    found = problems(load, "limits: {temperature: {severity: warning}}", {})
    assert found == ['assistplan.yaml:3:12: error: policy.limits.temperature: needs "max", "min" or both']


def test_an_unknown_severity_is_an_error(load: Loader) -> None:
    found = problems(load, "models: {allow: [gpt-5], severity: info}", {})
    assert found == [
        'assistplan.yaml:3:38: error: policy.models.severity: invalid value "info": expected one of "error", "warning"'
    ]


def test_without_a_policy_nothing_is_checked(load: Loader) -> None:
    assert lines(load({"b.yaml": ASSISTANT, "a.yaml": AGENT, "f.yaml": FUNCTION}).warnings) == []
