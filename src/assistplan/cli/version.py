"""The `version` command: assistplan's version, Python's, the libraries that talk to the APIs, and the versions the
servers of the project at the manifest root report where they report one (only Flowise does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistplan.cli.common import engine_root, environment

PACKAGES = ("openai", "httpx")
"""The libraries named: the OpenAI SDK and the HTTP client of the JSON layer and of Flowise."""


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def version(ctx: click.Context, fmt: str) -> None:
    """assistplan's version, Python's, the SDK's and the versions the configured servers report.

    No server is contacted except a configured Flowise (`GET /api/v1/version`, no key needed), given a few seconds.
    """
    import json
    import platform

    from assistplan import __version__

    report = {
        "assistplan": __version__,
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "packages": {name: _installed(name) for name in PACKAGES},
        **_servers(engine_root(ctx), environment(ctx)),
    }
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"assistplan {report['assistplan']}\nPython {report['python']}")
    for name, installed in report["packages"].items():
        click.echo(f"{name} {installed or '(not installed)'}")
    if report["servers"] is None:
        click.echo(f"Servers: {report['detail']}")
    for server in report["servers"] or []:
        said = ", ".join(part for part in (server["version"], server["detail"]) if part)
        click.echo(f"{server['name']} at {server['url']}: {said}")


def _installed(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(name)
    except PackageNotFoundError:
        return None


def _servers(root: Path, chosen: str | None) -> dict[str, Any]:
    """`servers`: one entry per API the project's assistplan.yaml configures; None (and `detail` saying why) when
    there is no project to read."""
    from assistplan import __version__
    from assistplan.errors import ManifestError
    from assistplan.manifest import load_project
    from assistplan.providers.openai import SANDBOX, resolve_base_url

    try:
        config = load_project(root, environment=chosen).config
    except ManifestError as error:
        first = error.diagnostics.sorted()[0].summary if len(error.diagnostics) else "it has errors"
        return {"servers": None, "detail": f"the project at {root} could not be read ({first})"}
    servers: list[dict[str, Any]] = []
    if config.openai.base_url == SANDBOX:
        servers.append(_server("OpenAI API", SANDBOX, __version__, "the sandbox built into assistplan"))
    else:
        from assistplan.providers import display_url

        url = display_url(resolve_base_url(config.openai.base_url))
        servers.append(_server("OpenAI API", url, None, "reports no version (the OpenAI API has no version route)"))
    if config.flowise is not None:
        from assistplan.errors import ProviderError
        from assistplan.providers import display_url
        from assistplan.providers.flowise import server_version

        url = display_url(config.flowise.url.rstrip("/"))
        try:
            servers.append(_server("Flowise", url, server_version(config.flowise.url), None))
        except ProviderError as error:
            servers.append(_server("Flowise", url, None, f"no version: {error.reason}"))
    return {"servers": servers}


def _server(name: str, url: str, reported: str | None, detail: str | None) -> dict[str, Any]:
    return {"name": name, "url": url, "version": reported, "detail": detail}
