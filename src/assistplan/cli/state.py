"""The `state` group: list, show, rm, mv and pull on the state file."""

from __future__ import annotations

from typing import NoReturn

import click

from assistplan.addrs import Address
from assistplan.cli.common import (
    complete_recorded_addresses,
    errors_reported,
    fail,
    lock_option,
    recorded_state,
    workspace,
)


def _address(ctx: click.Context, param: click.Parameter, value: str) -> Address:
    """ADDRESS as the state keys it (any recorded address, a leftover's included); `Kind/name` or a usage error."""
    address = Address.spelled(value)
    if address is None:
        raise click.BadParameter(f"{value!r} is not an address: expected Kind/name, for example Agent/support")
    return address


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
@click.argument("address", shell_complete=complete_recorded_addresses, callback=_address)
@click.pass_context
def state_show(ctx: click.Context, address: Address) -> None:
    """One address as recorded: remote id, digest and the last-applied spec."""
    import json

    with errors_reported():
        recorded = recorded_state(ctx).get(address)
    if recorded is None:
        _not_recorded(address)
    click.echo(json.dumps(recorded.model_dump(mode="json"), indent=2, sort_keys=True))


@state.command(name="rm")
@click.argument("address", shell_complete=complete_recorded_addresses, callback=_address)
@lock_option
@click.pass_context
def state_rm(ctx: click.Context, address: Address, lock_timeout: float) -> None:
    """Forget ADDRESS without deleting its remote object."""
    from assistplan.workflow import require_state

    with errors_reported(), workspace(ctx) as opened, opened.lock("state rm", lock_timeout):
        recorded = require_state(opened).get(address)
        if recorded is None:
            _not_recorded(address)
        opened.store.record(address, None)
        opened.store.compact()
    click.echo(
        f"Removed {address} from the state. Its remote object ({recorded.id}) is untouched and keeps this project's "
        "labels: the next plan finds it again by them, and plans its deletion if no manifest declares it."
    )


@state.command(name="mv")
@click.argument("source", shell_complete=complete_recorded_addresses)
@click.argument("destination")
@lock_option
@click.pass_context
def state_mv(ctx: click.Context, source: str, destination: str, lock_timeout: float) -> None:
    """Record the object of SOURCE under DESTINATION (same kind), changing nothing remote; the next apply restamps
    its labels. Rename the manifest to DESTINATION too."""
    from assistplan.workflow import require_state

    try:
        old, new = Address.parse(source), Address.parse(destination)
    except ValueError as exc:
        fail(exc)
    if old.kind != new.kind:
        fail(ValueError(f"cannot move {old} to {new}: an object keeps its kind"))
    with errors_reported(), workspace(ctx) as opened, opened.lock("state mv", lock_timeout):
        recorded = require_state(opened)
        moved = recorded.get(old)
        if moved is None:
            _not_recorded(old)
        if recorded.get(new) is not None:
            fail(ValueError(f"{new} is already in the state: `state rm` it first"))
        opened.store.record(new, moved.model_copy(update={"name": new.name}))
        opened.store.record(old, None)
        opened.store.compact()
    click.echo(f"Moved {old} to {new} in the state ({moved.id}; the remote object is untouched until the next apply).")


@state.command(name="pull")
@lock_option
@click.pass_context
def state_pull(ctx: click.Context, lock_timeout: float) -> None:
    """Rebuild the state from the live objects stamped with this project, and print it."""
    with errors_reported(), workspace(ctx) as opened, opened.lock("state pull", lock_timeout):
        current = opened.load_state()
        rebuilt = opened.rebuild_state(opened.refresh(current), current)
    click.echo(rebuilt.model_dump_json(indent=2))


def _not_recorded(address: Address) -> NoReturn:
    fail(KeyError(f"{address} is not in the state"))
