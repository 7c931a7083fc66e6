"""The URLs of `assistplan.yaml` (`openai.base_url`, `flowise.url`, and their environments' overrides): checked when
the manifests load, so that a URL no request can be sent to is a diagnostic of `validate`, not a traceback of the
first request."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from assistplan.manifest.fields import problem

MAX_URL_LENGTH = 65536
"""The longest URL the HTTP client (httpx) sends."""
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")


def url_problem(url: str) -> str | None:
    """Why requests cannot be sent to the http(s) URL `url` (None: they can), in words that never repeat its user
    name or password: what the HTTP client, `urllib.parse` (which messages use to show a URL) or the resolver (which
    encodes a host name as IDNA, at most 63 characters between dots) would refuse when the request is made."""
    if not url.startswith(("http://", "https://")):
        return "must be an http:// or https:// URL"
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is {len(url)} characters long, at most {MAX_URL_LENGTH}"
    if any(char.isascii() and not char.isprintable() for char in url):
        return "the URL contains a control character (a tab or a line break?)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError as error:
        return f"not a valid URL: {error}"
    host, port = _host_and_port(parts.netloc)
    if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        return f"invalid port {port!r}: expected a number from 1 to 65535"
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"invalid IPv6 address {host}"
        return None
    if _IPV4_STYLE.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"invalid IPv4 address {host}"
        return None
    if not host:
        return "the URL names no host"
    if not host.isascii():
        return _international_host_problem(url)
    try:
        host.encode("idna")
    except UnicodeError:
        return "invalid host name: each part between dots must be 1 to 63 characters long (encoded as IDNA)"
    return None


def _international_host_problem(url: str) -> str | None:
    """Why the HTTP client refuses the internationalized host name of `url` (its IDNA 2008 rules are its own); the
    only check that imports it, so that validating a project with ASCII host names stays light."""
    import httpx

    try:
        httpx.URL(url)
    except httpx.InvalidURL as error:
        return f"invalid host name: {error}"
    return None


def _host_and_port(netloc: str) -> tuple[str, str]:
    """The host and the port text of a URL's `netloc` as the HTTP client splits it: after the last `@`, an IPv6
    literal up to the last `]` or a name up to the first `:`."""
    where = netloc.rpartition("@")[2]
    if where.startswith("[") and "]" in where:
        end = where.rindex("]") + 1
        return where[:end], where[end:].removeprefix(":")
    host, _, port = where.partition(":")
    return host, port


def check_base_url(value: str | None) -> str | None:
    """`sandbox`, an http(s) URL requests can be sent to, or None; else a problem at the field."""
    if value is None or value == "sandbox":
        return value
    if not value.startswith(("http://", "https://")):
        raise problem(f'must be "sandbox" or an http:// or https:// URL, got "{value}"')
    return check_url(value)


def check_url(value: str) -> str:
    """An http(s) URL requests can be sent to; else a problem at the field."""
    reason = url_problem(value)
    if reason is not None:
        raise problem(reason)
    return value
