"""Templating: vars and env(), errors at the template's own line, positions that survive rendering, the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistplan.addrs import Address
from assistplan.manifest import Project
from assistplan.manifest.templating import TemplateContext, render
from assistplan.manifest.yamlpos import parse_documents

Loader = Callable[..., Project]
Failing = Callable[..., list[str]]

AGENT = """
kind: Agent
name: support
model: "{{ vars.model }}"
"""


def test_vars_come_from_assistplan_yaml(load: Loader) -> None:
    project = load({"assistplan.yaml": "project: test\nvars: {model: gpt-5}\n", "a.yaml": AGENT})
    assert project.resources[Address("Agent", "support")].spec.model == "gpt-5"


def test_var_files_override_config_vars_and_cli_vars_override_both(load: Loader, project_dir: Path) -> None:
    first = project_dir.parent / "first.yaml"
    second = project_dir.parent / "second.yaml"
    first.write_text("model: from-first\nother: x\n")
    second.write_text("model: from-second\n")
    files = {"assistplan.yaml": "project: test\nvars: {model: from-config}\n", "a.yaml": AGENT}

    assert load(files, var_files=[first]).resources[Address("Agent", "support")].spec.model == "from-first"
    assert load(files, var_files=[first, second]).resources[Address("Agent", "support")].spec.model == "from-second"
    overridden = load(files, var_files=[first, second], cli_vars={"model": "from-cli"})
    assert overridden.resources[Address("Agent", "support")].spec.model == "from-cli"


def test_a_var_file_inside_the_root_is_not_taken_for_a_manifest(load: Loader, project_dir: Path) -> None:
    files = {"assistplan.yaml": "project: test\nvars: {model: a}\n", "a.yaml": AGENT, "dev.yaml": "model: b\n"}
    project = load(files, var_files=[project_dir / "dev.yaml"])
    assert project.resources[Address("Agent", "support")].spec.model == "b"


def test_a_manifest_of_the_root_given_as_a_var_file_is_an_error_not_a_manifest_left_out(
    failing: Failing, project_dir: Path
) -> None:
    files = {"a.yaml": AGENT, "other.yaml": "kind: Agent\nname: other\nmodel: gpt-5\n"}

    assert failing(files, var_files=[project_dir / "other.yaml"], cli_vars={"model": "gpt-5"}) == [
        "other.yaml:1:7: this is a manifest (kind: Agent), not a var file: "
        "given as one, it would not be read as a manifest"
    ]


def test_a_var_file_outside_the_root_may_hold_a_variable_named_kind(load: Loader, project_dir: Path) -> None:
    var_file = project_dir.parent / "vars.yaml"
    var_file.write_text("kind: Agent\nmodel: gpt-5\n")

    project = load({"a.yaml": AGENT}, var_files=[var_file])

    assert project.resources[Address("Agent", "support")].spec.model == "gpt-5"


def test_env_reads_the_environment_with_an_optional_default(load: Loader) -> None:
    manifest = """
    kind: Agent
    name: support
    model: "{{ env('MODEL') }}"
    instructions: "{{ env('MISSING', 'fallback') }}"
    """
    project = load({"a.yaml": manifest}, environ={"MODEL": "gpt-5"})
    spec = project.resources[Address("Agent", "support")].spec
    assert (spec.model, spec.instructions) == ("gpt-5", "fallback")


def test_env_without_default_for_an_unset_variable_is_an_error_at_its_line(failing: Failing) -> None:
    manifest = """
    kind: Agent
    name: support
    model: "{{ env('MODEL') }}"
    """
    assert failing({"a.yaml": manifest}) == [
        'a.yaml:3:9: template error: environment variable "MODEL" is not set (give a default: env("MODEL", "..."))'
    ]


def test_undefined_variable_names_its_line_and_the_closest_var(failing: Failing) -> None:
    files = {
        "assistplan.yaml": "project: test\nvars: {model: gpt-5}\n",
        "a.yaml": """
        # the support agent
        kind: Agent
        name: support
        model: "{{ vars.modle }}"
        """,
    }
    assert failing(files) == [
        'a.yaml:4:9: template error: undefined variable "vars.modle" (did you mean "vars.model"?)'
    ]


def test_undefined_top_level_name(failing: Failing) -> None:
    assert failing({"a.yaml": "kind: Agent\nname: x\nmodel: {{ model }}\n"}) == [
        'a.yaml:3:8: template error: undefined variable "model" (templates see "vars" and "env")'
    ]


def test_template_syntax_error_points_at_its_line(failing: Failing) -> None:
    manifest = """
    kind: Agent
    name: support
    {% if vars.big %}
    model: gpt-5
    {% endfor %}
    """
    assert failing({"a.yaml": manifest}) == [
        "a.yaml:5:1: template syntax error: Encountered unknown tag 'endfor'. Jinja was looking for the following "
        "tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."
    ]


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__[1].__subclasses__()",
        "cycler.__init__.__globals__.os",
        "vars.__class__.__init__",
        "env.__globals__",
    ],
)
def test_sandbox_escapes_are_refused(failing: Failing, expression: str) -> None:
    errors = failing({"a.yaml": f"kind: Agent\nname: x\nmodel: {{{{ {expression} }}}}\n"})
    assert len(errors) == 1
    assert errors[0].startswith("a.yaml:3:8: template error: refused by the sandbox: access to attribute")


def test_templates_cannot_include_files(failing: Failing) -> None:
    errors = failing({"a.yaml": "{% include '/etc/passwd' %}\n", "b.yaml": "{% import 'x' as y %}\n"})
    assert errors == [
        "a.yaml:1:1: template error: TypeError: no loader for this environment specified",
        "b.yaml:1:1: template error: TypeError: no loader for this environment specified",
    ]


def test_value_on_a_templated_line_points_at_that_line(failing: Failing) -> None:
    files = {
        "assistplan.yaml": "project: test\nvars: {tier: turbo}\n",
        "a.yaml": "kind: Agent\nname: x\nmodel: gpt-5\nservice_tier: {{ vars.tier }}\n",
    }
    assert failing(files) == [
        'a.yaml:4:15: service_tier: invalid value "turbo": expected one of "auto", "default", "flex", "priority", '
        '"fast", "ultrafast"'
    ]


def test_lines_after_a_dropped_multi_line_if_block_keep_their_numbers(failing: Failing) -> None:
    manifest = """
    kind: Agent
    name: x
    model: gpt-5
    {% if vars.get("verbose") %}
    instructions: |
      line one
      line two
    {% endif %}
    {% for tier in ["a", "b"] %}
    # {{ tier }}
    {% endfor %}
    reasoning: {effort: extreme}
    servce_tier: auto
    """
    assert failing({"a.yaml": manifest}) == [
        'a.yaml:12:21: reasoning.effort: invalid value "extreme": expected one of "none", "minimal", "low", "medium", '
        '"high", "xhigh", "max"',
        'a.yaml:13:1: unknown field "servce_tier" (did you mean "service_tier"?)',
    ]


def test_lines_produced_by_a_loop_point_at_the_loop_body(failing: Failing) -> None:
    manifest = """
    kind: Agent
    name: x
    model: gpt-5
    tools:
    {% for domain in ["a.example", "b.example"] %}
      - type: web_search
        allowed_domains: [{{ domain }}]
        mode: {{ "live" if loop.first else "offline" }}
    {% endfor %}
    """
    assert failing({"a.yaml": manifest}) == [
        'a.yaml:8:11: tools[1].mode: invalid value "offline": expected one of "disabled", "cached", "live"'
    ]


def test_whitespace_control_renders_as_without_line_tracking() -> None:
    template = "a:\n  {%- if true %}\n  b: 1\n  {%- endif %}\nc: {{ 1 -}}\n  \n  2\n"
    rendered, _, problem = render(template, "t.yaml", TemplateContext({}, {}))
    assert problem is None
    from jinja2.sandbox import SandboxedEnvironment

    assert rendered == SandboxedEnvironment(keep_trailing_newline=True).from_string(template).render()


def test_columns_after_an_expression_map_back_to_the_source() -> None:
    template = "reasoning: {effort: {{ 'low' }}, summary: auto, extra: 1}\n"
    rendered, linemap, _ = render(template, "t.yaml", TemplateContext({}, {}))
    documents, _ = parse_documents(rendered, linemap)
    positions = documents[0].positions
    assert str(positions.key(("reasoning", "extra"))) == f"t.yaml:1:{template.index('extra') + 1}"
    assert str(positions.value(("reasoning", "effort"))) == f"t.yaml:1:{template.index('{{') + 1}"


def test_raw_blocks_pass_jinja_syntax_through(load: Loader) -> None:
    manifest = """
    kind: Agent
    name: x
    model: gpt-5
    instructions: "{% raw %}{{$vars.email}}{% endraw %}"
    """
    assert load({"a.yaml": manifest}).resources[Address("Agent", "x")].spec.instructions == "{{$vars.email}}"


def test_j2_files_are_rendered_and_others_are_not(load: Loader) -> None:
    files = {
        "assistplan.yaml": "project: test\nvars: {team: support}\n",
        "a.yaml": """
        kind: Agent
        name: rendered
        model: gpt-5
        instructions_file: prompt.md.j2
        ---
        kind: Agent
        name: verbatim
        model: gpt-5
        instructions_file: prompt.md
        """,
        "prompt.md.j2": "Team: {{ vars.team }}\n",
        "prompt.md": "Team: {{ vars.team }}\n",
    }
    project = load(files)
    assert project.resources[Address("Agent", "rendered")].spec.instructions == "Team: support\n"
    assert project.resources[Address("Agent", "verbatim")].spec.instructions == "Team: {{ vars.team }}\n"


def test_errors_in_a_j2_file_point_into_that_file(failing: Failing) -> None:
    files = {
        "a.yaml": "kind: Agent\nname: x\nmodel: gpt-5\ninstructions_file: prompts/p.md.j2\n",
        "prompts/p.md.j2": "Hello\n\n{{ vars.nobody }}\n",
    }
    assert failing(files) == ['prompts/p.md.j2:3:1: template error: undefined variable "vars.nobody"']


def test_assistplan_yaml_is_rendered_with_cli_vars_and_env(load: Loader) -> None:
    files = {
        "assistplan.yaml": "project: \"{{ vars.name }}\"\nflowise: {url: \"{{ env('URL', 'http://x:3000') }}\"}\n",
    }
    project = load(files, cli_vars={"name": "from-cli"})
    assert project.config.project == "from-cli"
    assert project.config.flowise is not None
    assert project.config.flowise.url == "http://x:3000"


def _blocks(depth: int) -> st.SearchStrategy[str]:
    dash = st.sampled_from(["", "-"])
    indent = st.sampled_from(["", "  ", "\t"])
    data = st.builds(
        lambda pad, text, left, right: f"{pad}{text}{{{{{left} vars.v {right}}}}}\n",
        indent,
        st.sampled_from(["key: ", "- item ", "", "# note ", "  "]),
        dash,
        dash,
    )
    plain = st.builds(lambda pad, text: f"{pad}{text}\n", indent, st.sampled_from(["a: 1", "", "  ", "- x"]))
    line = st.one_of(data, plain)
    if depth == 0:
        return st.lists(line, max_size=4).map("".join)
    inner = _blocks(depth - 1)
    block = st.builds(
        lambda pad, a, b, cond, body: f"{pad}{{%{a} if {cond} {b}%}}\n{body}{pad}{{%{a} endif {b}%}}\n",
        indent,
        dash,
        dash,
        st.sampled_from(["true", "false"]),
        inner,
    ) | st.builds(lambda a, b, body: f"{{%{a} for i in [1, 2] {b}%}}{body}{{%{a} endfor {b}%}}\n", dash, dash, inner)
    return st.lists(st.one_of(line, block), max_size=4).map("".join)


@settings(max_examples=150, deadline=None)
@given(_blocks(2))
def test_line_markers_never_change_what_a_template_renders(template: str) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    expected = SandboxedEnvironment(keep_trailing_newline=True).from_string(template).render(vars={"v": "x"})
    rendered, _, problem = render(template, "t.yaml", TemplateContext({"v": "x"}, {}))
    assert problem is None
    assert rendered == expected
