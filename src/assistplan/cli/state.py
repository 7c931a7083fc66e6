"""The `state` group: list, show, rm and pull on the state file."""

from __future__ import annotations

from typing import NoReturn

import click

from assistplan.cli.common import errors_reported, fail, lock_option, recorded_state, workspace


@click.group()
def state() -> None:
    """Inspect and change the state file."""


@state.command(name="list")
@click.pass_context
def state_list(ctx: click.Context) -> None:
    """Every address the state records."""
    with errors_reported():
        recorded = recorded_state(ctx)
    for address in sorted(recorded.resources):
        click.echo(address)


@state.command(name="show")
@click.argument("address")
@click.pass_context
def state_show(ctx: click.Context, address: str) -> None:
    """One address as recorded: remote id, digest and the last-applied spec."""
    import json

    with errors_reported():
        recorded = recorded_state(ctx).get(address)
    if recorded is None:
        _not_recorded(address)
    click.echo(json.dumps(recorded.model_dump(mode="json"), indent=2, sort_keys=True))


@state.command(name="rm")
@click.argument("address")
@lock_option
@click.pass_context
def state_rm(ctx: click.Context, address: str, lock_timeout: float) -> None:
    """Forget ADDRESS without deleting its remote object."""
    from assistplan.workflow import require_state

    with errors_reported(), workspace(ctx) as opened, opened.lock("state rm", lock_timeout):
        if require_state(opened).get(address) is None:
            _not_recorded(address)
        opened.store.record(address, None)
        opened.store.compact()
    click.echo(f"Removed {address} from the state (the remote object is untouched).")


@state.command(name="pull")
@lock_option
@click.pass_context
def state_pull(ctx: click.Context, lock_timeout: float) -> None:
    """Rebuild the state from the live objects stamped with this project, and print it."""
    with errors_reported(), workspace(ctx) as opened, opened.lock("state pull", lock_timeout):
        current = opened.load_state()
        rebuilt = opened.rebuild_state(opened.refresh(current), current)
    click.echo(rebuilt.model_dump_json(indent=2))


def _not_recorded(address: str) -> NoReturn:
    fail(KeyError(f"{address} is not in the state"))
