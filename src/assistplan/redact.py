"""Scrubbing secrets out of text that may be printed: server error messages of every provider and client.

`scrub` replaces the values registered with `register` (the configured API keys and every confidential value sent,
for the whole process; each also as it reads inside a JSON string), the `secrets` it is given (a client's own, e.g.
credential values it is about to send), the values of the `NAME=value` lines of `ASSISTPLAN_SECRET_ENV` (and of the
variables they name, as the environment holds them), and anything shaped like a credential: the token after
`Bearer`/`Basic`/`Token`, the value after a secret-named key (`api_key=`, `"authorization": ...`), the password of a
URL (`https://user:PASSWORD@host`), `sk-...` keys, GitHub tokens, Slack tokens (`xoxb-...`), AWS access key ids
(`AKIA...`), and long mixed-case alphanumeric runs that are not OpenAI object ids (`asst_`, `vs_`, `vsfb_`, `file-`,
`agent_`, `req_`).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable, Mapping

MARK = "[redacted]"
MIN_SECRET = 4
SECRET_ENV = "ASSISTPLAN_SECRET_ENV"
"""The variable that holds `NAME=value` lines of secrets for the manifests' `{env: NAME}` references."""

_SCHEME = re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{6,}")
_NAMED = re.compile(
    r"(?i)\b(api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|password|authorization)"
    r"([\"']?\s*[:=]\s*[\"']?)(?!\[redacted\])(?!(?:bearer|basic|token)\s)([^\s\"',;}]{4,})"
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/?#@:\"'<>]*:)([^\s/?#\"'<>]+)(@)")
_SHAPED = re.compile(
    r"\b(?:sk-[A-Za-z0-9_-]{4,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abeoprs]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}|(?:AKIA|ASIA)[A-Z0-9]{16}\b)"
)
_LONG = re.compile(r"[A-Za-z0-9_+=-]{32,}")
_OBJECT_ID = re.compile(r"(?:asst|vs|vsfb|file|agent|req|thread|run|msg)[_-][A-Za-z0-9]+")

_lock = threading.Lock()
_secrets: set[str] = set()


def register(value: str | None) -> None:
    """Never show `value` (a key or secret of at least MIN_SECRET characters) in scrubbed text, neither as it is nor
    as it reads inside a JSON string (a server that quotes the request body escapes quotes and newlines)."""
    if value and len(value) >= MIN_SECRET:
        with _lock:
            _secrets.update(_forms(value))


def secret_env_values(environ: Mapping[str, str]) -> set[str]:
    """The secrets `ASSISTPLAN_SECRET_ENV` gives in `environ`: the value of each `NAME=value` line, and the value of
    the variable NAME where `environ` holds it."""
    values: set[str] = set()
    for line in environ.get(SECRET_ENV, "").split("\n"):
        name, equals, value = line.partition("=")
        if equals:
            values.update(found for found in (value, value.rstrip("\r"), environ.get(name) if name else None) if found)
    return values


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without registered secrets, without `secrets`, without the secrets of `ASSISTPLAN_SECRET_ENV`, and
    without anything shaped like a credential."""
    given = {value for value in secrets if value}
    given.update(value for value in secret_env_values(os.environ) if len(value) >= MIN_SECRET)
    with _lock:
        known = _secrets.union(*(_forms(value) for value in given))
    for secret in sorted(known, key=len, reverse=True):
        text = text.replace(secret, MARK)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MARK}{m.group(3)}", text)
    text = _SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}{MARK}", text)
    text = _NAMED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MARK}", text)
    text = _SHAPED.sub(MARK, text)
    return _LONG.sub(_long, text)


def _forms(value: str) -> set[str]:
    """`value`, and `value` as it reads inside a JSON string."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def _long(match: re.Match[str]) -> str:
    token = match.group(0)
    if _OBJECT_ID.fullmatch(token) or not _mixed(token):
        return token
    return MARK


def _mixed(token: str) -> bool:
    """Upper- and lower-case letters and digits together: how generated keys look, unlike words, hex and UUIDs."""
    return any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)
