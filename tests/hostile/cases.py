"""Hostile and malformed manifest roots, built at test time (links, FIFOs, sockets and sparse files included).

Each case writes a root whose providers are at `url` (a port that counts connections) and must be refused with a
positioned diagnostic.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SECRET = "sk-hostile-corpus-secret-0123456789"
"""The API key the children run with: it must never be printed."""

Builder = Callable[[Path, str], None]


@dataclass(frozen=True)
class Case:
    id: str
    build: Builder


def config(url: str, extra: str = "") -> str:
    return f'project: hostile\nopenai: {{base_url: "{url}"}}\nflowise: {{url: "{url}"}}\n{extra}'


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def function(name: str = "f", **fields: str) -> str:
    lines = [f"kind: Function\nname: {name}\ndescription: d\n"]
    lines += [f"{key}: {value}\n" for key, value in fields.items()]
    if "parameters_file" not in fields and "parameters" not in fields:
        lines.append("parameters: {type: object}\n")
    return "".join(lines)


def assistant(**fields: str) -> str:
    return "kind: Assistant\nname: a\nmodel: gpt-4o\n" + "".join(f"{key}: {value}\n" for key, value in fields.items())


def store(files: str) -> str:
    return f"kind: VectorStore\nname: kb\nfiles: {files}\n"


def files_case(case_id: str, files: dict[str, str | bytes], extra_config: str = "") -> Case:
    def build(root: Path, url: str) -> None:
        write(root, {"assistplan.yaml": config(url, extra_config), **files})

    return Case(case_id, build)


def linked(case_id: str, link: str, target: str | Callable[[Path], str], files: dict[str, str | bytes]) -> Case:
    """A root with a symbolic link `link` to `target` (a path, or a function of the root's parent)."""

    def build(root: Path, url: str) -> None:
        write(root, {"assistplan.yaml": config(url), **files})
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target(root.parent) if callable(target) else target, root / link)

    return Case(case_id, build)


def outside_file(parent: Path) -> str:
    path = parent / "outside" / "secret.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"kind: Function\nname: {SECRET}\n")
    return str(path)


def outside_folder(parent: Path) -> str:
    outside_file(parent)
    return str(parent / "outside")


def special(case_id: str, name: str, make: Callable[[Path], None], files: dict[str, str | bytes]) -> Case:
    """A root where `name` is made by `make` (a FIFO, a socket, a sparse file...)."""

    def build(root: Path, url: str) -> None:
        write(root, {"assistplan.yaml": config(url), **files})
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        make(root / name)

    return Case(case_id, build)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def unix_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as stream:
            stream.truncate(size)
            stream.seek(0)
            stream.write(b"x")

    return make


def many_files(count: int) -> Builder:
    def build(root: Path, url: str) -> None:
        write(root, {"assistplan.yaml": config(url), "kb.yaml": store("[docs/*.md]")})
        (root / "docs").mkdir()
        for index in range(count):
            (root / "docs" / f"{index}.md").write_text("x")

    return build


def loop_links(root: Path, url: str) -> None:
    write(root, {"assistplan.yaml": config(url), "kb.yaml": store('["docs/**/*.md"]'), "docs/a.md": "a"})
    for name in "abcd":
        os.symlink(root / "docs", root / "docs" / f"loop-{name}")
    (root / "docs" / "x.bin").write_bytes(b"\x00")
    os.symlink("/etc/passwd", root / "docs" / "passwd.md")


def state_link_outside(root: Path, url: str) -> None:
    write(root, {"assistplan.yaml": config(url, "state: store/state.json\n"), "f.yaml": function()})
    outside = root.parent / "outside-state"
    outside.mkdir()
    os.symlink(outside, root / "store")


def config_link_outside(root: Path, url: str) -> None:
    target = root.parent / "elsewhere.yaml"
    target.write_text(config(url))
    os.symlink(target, root / "assistplan.yaml")


def custom_key_env(root: Path, url: str) -> None:
    settings = f'project: hostile\nopenai: {{base_url: "{url}", api_key_env: MY_CREDENTIAL}}\n'
    write(root, {"assistplan.yaml": settings, "e.yaml": function(description="\"{{ env('MY_CREDENTIAL') }}\"")})


def too_many_documents(root: Path, url: str) -> None:
    body = "".join(f"---\nkind: FlowiseVariable\nname: v{index}\n" for index in range(12_001))
    write(root, {"assistplan.yaml": config(url), "many.yaml": body})


def twenty_thousand_errors(root: Path, url: str) -> None:
    bad = "".join(f"bad{index}: 1\n" for index in range(20))
    body = "".join(f"---\nkind: FlowiseVariable\nname: v{index}\n{bad}" for index in range(1000))
    write(root, {"assistplan.yaml": config(url), "errors.yaml": body})


def alias_bomb(levels: int, width: int, leaf: str) -> str:
    lines = [f"  a0: &a0 [{leaf}]"]
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "kind: VectorStore\nname: kb\nfiles: [a.md]\nmetadata:\n" + "\n".join(lines) + "\n"


LONG = "x" * 1000
OUTSIDE_SCHEMA = {
    "s.yaml": assistant(response_format="{type: json_schema, json_schema: {name: n, schema_file: s.json}}")
}

CASES: list[Case] = [
    # links, `..` and absolute paths
    linked("manifest-link-to-proc-environ", "env.yaml", "/proc/self/environ", {}),
    linked("manifest-link-to-dev-zero", "zero.yaml", "/dev/zero", {}),
    linked("manifest-link-to-dev-urandom", "sub/random.yml", "/dev/urandom", {}),
    linked("manifest-link-to-outside-file", "secret.yaml", outside_file, {}),
    linked("folder-link-to-outside", "shared", outside_folder, {}),
    linked("folder-link-to-root-of-filesystem", "everything", "/", {}),
    Case("config-link-to-outside", config_link_outside),
    linked(
        "instructions-file-link-to-environ",
        "prompt.md",
        "/proc/self/environ",
        {"a.yaml": assistant(instructions_file="prompt.md")},
    ),
    linked(
        "parameters-file-link-to-dev-zero",
        "schema.json",
        "/dev/zero",
        {"f.yaml": function(parameters_file="schema.json")},
    ),
    linked("schema-file-link-to-outside", "s.json", outside_file, OUTSIDE_SCHEMA),
    linked(
        "code-file-link-to-environ",
        "tool.js",
        "/proc/self/environ",
        {"t.yaml": "kind: FlowiseTool\nname: t\nfunction: f\ncode_file: tool.js\n", "f.yaml": function()},
    ),
    linked("upload-link-to-dev-zero", "zero.md", "/dev/zero", {"kb.yaml": store("[zero.md]")}),
    linked(
        "upload-glob-matches-link-to-environ",
        "docs/env.md",
        "/proc/self/environ",
        {"kb.yaml": store("[docs/*.md]"), "docs/a.md": "a"},
    ),
    linked(
        "file-path-link-to-etc-passwd",
        "passwd.txt",
        "/etc/passwd",
        {"file.yaml": "kind: File\nname: p\npath: passwd.txt\n"},
    ),
    linked("dangling-manifest-link", "gone.yaml", "/nonexistent/gone.yaml", {}),
    files_case("instructions-file-dot-dot", {"a.yaml": assistant(instructions_file="../../etc/passwd")}),
    files_case("instructions-file-absolute", {"a.yaml": assistant(instructions_file="/etc/passwd")}),
    files_case("parameters-file-dot-dot", {"f.yaml": function(parameters_file="../outside.json")}),
    files_case(
        "code-file-absolute",
        {"t.yaml": "kind: FlowiseTool\nname: t\nfunction: f\ncode_file: /etc/hostname\n", "f.yaml": function()},
    ),
    files_case("upload-glob-dot-dot", {"kb.yaml": store('["../*.md"]')}),
    files_case("upload-glob-absolute", {"kb.yaml": store('["/etc/*.conf"]')}),
    files_case("file-path-absolute-device", {"file.yaml": "kind: File\nname: z\npath: /dev/zero\n"}),
    files_case("state-dot-dot", {"f.yaml": function()}, "state: ../state.json\n"),
    files_case("state-absolute", {"f.yaml": function()}, "state: /tmp/assistplan-hostile-state.json\n"),
    Case("state-through-link-outside", state_link_outside),
    Case("upload-glob-through-link-loops", loop_links),
    # FIFOs, devices, sockets
    special("manifest-fifo", "pipe.yaml", fifo, {}),
    special("manifest-socket", "sock.yaml", unix_socket, {}),
    Case("config-fifo", lambda root, url: fifo(root / "assistplan.yaml")),
    special("instructions-file-fifo", "prompt.md", fifo, {"a.yaml": assistant(instructions_file="prompt.md")}),
    special("parameters-file-socket", "schema.json", unix_socket, {"f.yaml": function(parameters_file="schema.json")}),
    special("upload-fifo", "docs/pipe.md", fifo, {"kb.yaml": store("[docs/pipe.md]")}),
    special("upload-glob-matches-fifo", "docs/pipe.md", fifo, {"kb.yaml": store("[docs/*.md]"), "docs/a.md": "a"}),
    special("state-is-a-fifo", ".assistplan/state.json", fifo, {"f.yaml": function()}),
    # sizes
    files_case(
        "manifest-over-size-cap", {"big.yaml": "kind: FlowiseVariable\nname: v\nvalue: " + "x" * (1024 * 1024) + "\n"}
    ),
    files_case(
        "rendered-over-size-cap",
        {"r.yaml": "{% for i in range(5) %}# {{ 'x' * 999999 }}\n{% endfor %}kind: Function\n"},
    ),
    special(
        "instructions-file-over-size-cap",
        "prompt.md",
        sparse(5 * 1024 * 1024),
        {"a.yaml": assistant(instructions_file="prompt.md")},
    ),
    files_case("alias-bomb-values", {"bomb.yaml": alias_bomb(9, 9, "x")}),
    files_case("alias-bomb-long-strings", {"bomb.yaml": alias_bomb(6, 9, LONG)}),
    files_case("alias-bomb-across-documents", {"bomb.yaml": "---\n".join([alias_bomb(5, 9, LONG)] * 40)}),
    files_case("recursive-alias", {"r.yaml": "kind: Function\nname: f\ndescription: &d [*d]\n"}),
    files_case(
        "nesting-too-deep", {"deep.yaml": "kind: Function\nname: f\nparameters: " + "[" * 50000 + "]" * 50000 + "\n"}
    ),
    # invalid Unicode
    files_case(
        "lone-surrogate-escape",
        {"u.yaml": 'kind: Function\nname: f\ndescription: "a\\ud800b"\nparameters: {type: object}\n'},
    ),
    files_case("lone-surrogate-in-key", {"u.yaml": 'kind: Function\nname: f\n"\\udc80": 1\n'}),
    files_case("undecodable-byte", {"b.yaml": b"kind: Function\nname: f\ndescription: \xff\xfe\n"}),
    files_case("utf8-encoded-surrogate", {"b.yaml": b"kind: Function\nname: f\ndescription: a\xed\xa0\x80\n"}),
    files_case("surrogate-from-template", {"t.yaml": "kind: Function\nname: f\ndescription: \"{{ '\\udfff' }}\"\n"}),
    files_case("nul-byte", {"n.yaml": b"kind: Function\nname: f\x00\n"}),
    # Jinja work
    files_case(
        "jinja-nested-ranges",
        {"j.yaml": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}kind: Function\n"},
    ),
    files_case("jinja-huge-power", {"j.yaml": "description: {{ 2 ** 99999999 }}\n"}),
    files_case("jinja-string-repetition", {"j.yaml": "description: {{ 'x' * 999999999 }}\n"}),
    files_case("jinja-list-repetition", {"j.yaml": "description: {{ [1, 2] * 999999999 }}\n"}),
    files_case("jinja-lipsum", {"j.yaml": "description: {{ lipsum(99999, min=999, max=9999) }}\n"}),
    files_case(
        "jinja-output-bomb", {"j.yaml": "{% set s = 'x' * 999999 %}{% for i in range(99999) %}{{ s }}{% endfor %}\n"}
    ),
    files_case(
        "jinja-concat-doubling",
        {
            "j.yaml": "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}\n"
        },
    ),
    files_case(
        "jinja-replace-doubling",
        {
            "j.yaml": "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
            "{% set ns.s = ns.s | replace('x', 'xx') %}{% endfor %}\n"
        },
    ),
    files_case("jinja-percent-width", {"j.yaml": "description: {{ '%999999999d' % 1 }}\n"}),
    files_case("jinja-format-filter-width", {"j.yaml": "description: {{ '%0999999999d' | format(1) }}\n"}),
    files_case("jinja-str-format-width", {"j.yaml": "description: {{ '{:>999999999}'.format(1) }}\n"}),
    files_case("jinja-ljust", {"j.yaml": "description: {{ 'x'.ljust(999999999) }}\n"}),
    files_case("jinja-center-filter", {"j.yaml": "description: {{ 'x' | center(999999999) }}\n"}),
    files_case("jinja-expandtabs", {"j.yaml": "description: {{ ('\\t' * 99999).expandtabs(99999) }}\n"}),
    files_case("jinja-join-bomb", {"j.yaml": "{% set s = 'x' * 999999 %}description: {{ [s] * 999999 | join }}\n"}),
    files_case("jinja-recursive-macro", {"j.yaml": "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}\n"}),
    files_case("jinja-recursive-loop", {"j.yaml": "{% for x in [1, 2] recursive %}{{ loop([1, 2]) }}{% endfor %}\n"}),
    files_case("jinja-deep-parentheses", {"j.yaml": "description: {{ " + "(" * 20000 + "1" + ")" * 20000 + " }}\n"}),
    files_case("jinja-indent-bomb", {"j.yaml": "{% set s = '\\n' * 99999 %}{{ s | indent(99999) }}\n"}),
    # secrets in templates
    files_case("env-openai-api-key", {"e.yaml": function(description="\"{{ env('OPENAI_API_KEY') }}\"")}),
    Case("env-custom-api-key-env", custom_key_env),
    files_case("env-password", {"e.yaml": function(description="\"{{ env('DB_PASSWORD', 'x') }}\"")}),
    files_case("env-token-lowercase", {"e.yaml": function(description="\"{{ env('github_token', 'x') }}\"")}),
    files_case("env-secret-in-config", {}, "vars: {k: \"{{ env('CLIENT_SECRET', 'x') }}\"}\n"),
    # too many errors
    Case("twenty-thousand-errors", twenty_thousand_errors),
    Case("too-many-documents", too_many_documents),
    # uploads against the API's limits
    files_case("upload-empty-file", {"kb.yaml": store("[docs/empty.md]"), "docs/empty.md": ""}),
    files_case("upload-unsupported-extension", {"kb.yaml": store("[tool.exe]"), "tool.exe": "MZ"}),
    files_case("upload-unsupported-by-glob", {"kb.yaml": store("[docs/*]"), "docs/a.md": "a", "docs/b.zip": "PK"}),
    Case("upload-over-2000-files", many_files(2001)),
    special("upload-over-512-mb", "docs/big.md", sparse(513 * 1024 * 1024), {"kb.yaml": store("[docs/big.md]")}),
    files_case(
        "code-interpreter-over-20-files",
        {
            "a.yaml": assistant(tools="[code_interpreter]", code_interpreter="{files: [d/*.csv]}"),
            **{f"d/{i}.csv": "a" for i in range(21)},
        },
    ),
    # $ref cycles
    files_case(
        "ref-cycle-between-defs",
        {
            "f.yaml": function(
                parameters='{type: object, properties: {a: {$ref: "#/$defs/x"}}, '
                '$defs: {x: {$ref: "#/$defs/y"}, y: {$ref: "#/$defs/x"}}}'
            )
        },
    ),
    files_case("ref-cycle-to-root", {"f.yaml": function(parameters='{type: object, allOf: [{$ref: "#"}]}')}),
    files_case(
        "ref-cycle-through-any-of",
        {
            "f.yaml": function(
                parameters='{type: object, properties: {a: {$ref: "#/$defs/x"}}, '
                '$defs: {x: {anyOf: [{type: string}, {$ref: "#/$defs/x"}]}}}'
            )
        },
    ),
]
