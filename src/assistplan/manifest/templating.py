"""Jinja2 rendering of manifests and `.j2` files, in a sandbox, with positions mapped back to the source.

Templates see `vars` (a mapping) and `env(NAME[, default])`; they run in Jinja2's SandboxedEnvironment with
StrictUndefined and no loader, so they cannot read files, import templates or reach Python internals, and with the
work limits of jinja_limits. `env()` refuses secrets: the variables named by `api_key_env` and any variable whose
name says it is one; secrets are given by reference (`{env: NAME}`) where a field accepts them, and the loader refuses
a variable that a manifest gives so once the templates have read it (`read`).

Line mapping: before rendering, an invisible marker naming the source line is put in front of the first
non-blank character of every line that starts outside a Jinja tag. Markers are template *data*, so they come out of
the renderer exactly where that line's text lands (repeated by loops, dropped by false `if` blocks); they are then
stripped, and each rendered line knows the source line it came from. Lines whose first token trims whitespace
(`{%-`, `{{-`, `{#-`) get no marker, so whitespace control behaves exactly as without markers.
"""

from __future__ import annotations

import difflib
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistplan.diagnostics import Diagnostic, SourcePos, SourceRange
from assistplan.manifest.yamlpos import LineMap

_MARKER = re.compile("\x02([0-9]+)\x03")
_TAG_OPEN = re.compile(r"\{[{%#]")
_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_TRIMMING = ("{%-", "{{-", "{#-")
_TEMPLATE_NAME = "<template>"
MAX_RENDERED_CHARS = 4 * 1024 * 1024
"""A rendered file."""
SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD")
"""A variable whose name contains one of these (in any case) is a secret: env() refuses it."""


def is_template(text: str) -> bool:
    return _TAG_OPEN.search(text) is not None


class Vars(dict[str, Any]):
    """The `vars` mapping seen by templates (a dict subclass so undefined names are reported by their full name)."""


class TemplateEnvError(Exception):
    """Raised inside a template by `env(NAME)` for an unset variable without a default."""


@dataclass(frozen=True)
class TemplateContext:
    vars: Mapping[str, Any]
    environ: Mapping[str, str]
    key_names: frozenset[str] = field(default_factory=frozenset)
    """The variables named by `api_key_env`: env() refuses them whatever their names."""
    read: set[str] = field(default_factory=set, compare=False)
    """The names env() was asked for (assistplan.yaml is rendered before it names its keys: they are checked after)."""

    def is_secret(self, name: str) -> bool:
        return name in self.key_names or any(word in name.upper() for word in SECRET_WORDS)


def _closest(word: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _environment(context: TemplateContext) -> Any:
    from jinja2 import StrictUndefined
    from jinja2.utils import missing

    from assistplan.manifest.jinja_limits import BoundedSandbox

    variables = Vars(context.vars)

    class Undefined(StrictUndefined):
        __slots__ = ()

        @property
        def _undefined_message(self) -> str:
            name = self._undefined_name
            if self._undefined_hint is None and self._undefined_obj is missing:
                return f'undefined variable "{name}" (templates see "vars" and "env")'
            if self._undefined_hint is None and isinstance(self._undefined_obj, Vars):
                hint = _closest(str(name), sorted(variables))
                suggestion = f' (did you mean "vars.{hint}"?)' if hint else ""
                return f'undefined variable "vars.{name}"{suggestion}'
            return str(super()._undefined_message)

    def env(name: str, default: Any = None) -> Any:
        if not isinstance(name, str):
            raise TemplateEnvError("env() needs the name of an environment variable")
        if context.is_secret(name):
            raise TemplateEnvError(
                f'env("{name}") refused: "{name}" holds a secret, and templates never see secrets; '
                f"where a field accepts a secret, write {{env: {name}}} instead"
            )
        context.read.add(name)
        if name in context.environ:
            return context.environ[name]
        if default is None:
            raise TemplateEnvError(f'environment variable "{name}" is not set (give a default: env("{name}", "..."))')
        return default

    environment = BoundedSandbox(undefined=Undefined, keep_trailing_newline=True, autoescape=False)
    environment.globals["env"] = env
    environment.globals["vars"] = variables
    return environment


def _mark_lines(text: str) -> str:
    """`text` with a line marker in front of the first non-blank character of every line that starts as data."""
    lines = text.split("\n")
    closer: str | None = None
    raw = False
    out: list[str] = []
    for number, line in enumerate(lines):
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        if closer is None and body.strip() and (raw or not body.startswith(_TRIMMING)):
            line = f"{indent}\x02{number}\x03{body}"
        position = 0
        while True:
            if raw:
                end = _RAW_END.search(line, position)
                if end is None:
                    break
                raw, position = False, end.end()
            elif closer is not None:
                index = line.find(closer, position)
                if index < 0:
                    break
                closer, position = None, index + 2
            else:
                opener = _TAG_OPEN.search(line, position)
                if opener is None:
                    break
                raw_start = _RAW_START.match(line, opener.start())
                if raw_start is not None:
                    raw, position = True, raw_start.end()
                else:
                    closer, position = _CLOSERS[opener.group()], opener.end()
        out.append(line)
    return "\n".join(out)


class RenderedLineMap(LineMap):
    """Positions in rendered text mapped to the template source, line by line, with a best-effort column."""

    def __init__(self, file: str, source: str, rendered_lines: list[str], origins: list[int]) -> None:
        super().__init__(file)
        self.source_lines = source.split("\n")
        self.rendered_lines = rendered_lines
        self.origins = origins

    def pos(self, line: int, col: int) -> SourcePos:
        if not self.origins:
            return SourcePos(self.file, 1, 1)
        index = min(max(line, 0), len(self.origins) - 1)
        origin = min(self.origins[index], len(self.source_lines) - 1)
        rendered = self.rendered_lines[index] if index < len(self.rendered_lines) else ""
        source = self.source_lines[origin]
        return SourcePos(self.file, origin + 1, _map_column(rendered, source, col) + 1)


def _map_column(rendered: str, source: str, col: int) -> int:
    if rendered == source or rendered[:col] == source[:col]:
        return min(col, len(source))
    tail = rendered[col:]
    if tail and source.endswith(tail):
        return len(source) - len(tail)
    opener = _TAG_OPEN.search(source)
    if opener is not None and opener.start() <= col:
        return opener.start()
    return min(col, len(source))


def _unmark(rendered: str) -> tuple[list[str], list[int]]:
    lines: list[str] = []
    origins: list[int] = []
    last = 0
    for text in rendered.split("\n"):
        first = _MARKER.search(text)
        if first is not None and not text[: first.start()].strip():
            origin = int(first.group(1))
        elif text.strip() or not origins:
            origin = last
        else:
            origin = origins[-1] + 1
        markers = _MARKER.findall(text)
        if markers:
            last = int(markers[-1])
        lines.append(_MARKER.sub("", text))
        origins.append(origin)
    return lines, origins


def _first_tag_column(line: str) -> int:
    opener = _TAG_OPEN.search(line)
    return opener.start() if opener else 0


def _error_line(exc: BaseException) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == _TEMPLATE_NAME]
    return lines[-1] if lines else None


def _describe(exc: Exception) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    from assistplan.manifest.jinja_limits import TemplateLimitError

    if isinstance(exc, TemplateSyntaxError):
        return f"template syntax error: {exc.message}"
    if isinstance(exc, UndefinedError | TemplateEnvError):
        return f"template error: {exc}"
    if isinstance(exc, TemplateLimitError):
        return f"template error: too much work: {exc}"
    if isinstance(exc, RecursionError):
        return "template error: nested too deeply"
    if isinstance(exc, MemoryError):
        return "template error: out of memory"
    if isinstance(exc, SecurityError):
        return f"template error: refused by the sandbox: {exc}"
    return f"template error: {type(exc).__name__}: {exc}"


def _diagnostic(exc: Exception, file: str, source: str, line: int | None) -> Diagnostic:
    lines = source.split("\n")
    number = min(max(line or 1, 1), len(lines))
    column = _first_tag_column(lines[number - 1]) + 1
    return Diagnostic.error(_describe(exc), range=SourceRange(SourcePos(file, number, column)))


def render(text: str, file: str, context: TemplateContext) -> tuple[str, LineMap, Diagnostic | None]:
    """Render `text` (named `file` in diagnostics); returns the text, its line map, and the first error if any."""
    if not is_template(text):
        return text, LineMap(file), None
    from jinja2 import TemplateSyntaxError

    environment = _environment(context)
    marked = "\x02" not in text and "\x03" not in text
    try:
        try:
            template = environment.from_string(environment.instrumented(_mark_lines(text) if marked else text))
        except TemplateSyntaxError:
            if not marked:
                raise
            marked = False
            template = environment.from_string(environment.instrumented(text))
    except TemplateSyntaxError as exc:
        return "", LineMap(file), _diagnostic(exc, file, text, exc.lineno)
    except Exception as exc:  # a template the parser cannot take (nested too deeply): a diagnostic
        return "", LineMap(file), _diagnostic(exc, file, text, None)
    try:
        rendered = template.render()
    except Exception as exc:  # templates are user code: every failure becomes a diagnostic
        return "", LineMap(file), _diagnostic(exc, file, text, _error_line(exc))
    if marked:
        lines, origins = _unmark(rendered)
    else:
        lines = rendered.split("\n")
        origins = list(range(len(lines)))
    linemap = RenderedLineMap(file, text, lines, origins)
    size = sum(len(line) + 1 for line in lines)
    if size > MAX_RENDERED_CHARS:
        message = f"rendered text is {size} characters long, more than the {MAX_RENDERED_CHARS} allowed"
        return "", LineMap(file), Diagnostic.error(message, range=SourceRange(SourcePos(file, 1, 1)))
    return "\n".join(lines), linemap, None
