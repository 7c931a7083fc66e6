"""Scrubbing secrets out of text that may be printed: server error messages of every provider and client.

`scrub` replaces the values registered with `register` (the configured API keys, for the whole process), the
`secrets` it is given (a client's own, e.g. credential values it is about to send), and anything shaped like a
credential: the token after `Bearer`/`Basic`/`Token`, the value after a secret-named key
(`api_key=`, `"authorization": ...`), `sk-...` keys, GitHub tokens, and long mixed-case alphanumeric runs that are not
OpenAI object ids (`asst_`, `vs_`, `vsfb_`, `file-`, `agent_`, `req_`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MARK = "[redacted]"
MIN_SECRET = 4

_SCHEME = re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{6,}")
_NAMED = re.compile(
    r"(?i)\b(api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|password|authorization)"
    r"([\"']?\s*[:=]\s*[\"']?)(?!\[redacted\])(?!(?:bearer|basic|token)\s)([^\s\"',;}]{4,})"
)
_SHAPED = re.compile(r"\b(?:sk-[A-Za-z0-9_-]{4,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")
_LONG = re.compile(r"[A-Za-z0-9_+=-]{32,}")
_OBJECT_ID = re.compile(r"(?:asst|vs|vsfb|file|agent|req|thread|run|msg)[_-][A-Za-z0-9]+")

_lock = threading.Lock()
_secrets: set[str] = set()


def register(value: str | None) -> None:
    """Never show `value` (a key or secret of at least MIN_SECRET characters) in scrubbed text."""
    if value and len(value) >= MIN_SECRET:
        with _lock:
            _secrets.add(value)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without registered secrets, without `secrets`, and without anything shaped like a credential."""
    with _lock:
        known = _secrets.union(value for value in secrets if value)
    for secret in sorted(known, key=len, reverse=True):
        text = text.replace(secret, MARK)
    text = _SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}{MARK}", text)
    text = _NAMED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MARK}", text)
    text = _SHAPED.sub(MARK, text)
    return _LONG.sub(_long, text)


def _long(match: re.Match[str]) -> str:
    token = match.group(0)
    if _OBJECT_ID.fullmatch(token) or not _mixed(token):
        return token
    return MARK


def _mixed(token: str) -> bool:
    """Upper- and lower-case letters and digits together: how generated keys look, unlike words, hex and UUIDs."""
    return any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)
