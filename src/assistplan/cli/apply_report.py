"""What apply says on the terminal: the confirmation prompt, a line per action and the closing report."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from assistplan.addrs import Address
    from assistplan.apply.results import ActionResult, ApplyResult
    from assistplan.plan.model import ResourceChange

PAST = {
    "create": "created",
    "update": "updated",
    "replace": "replaced",
    "delete": "destroyed",
    "delete old": "old object destroyed",
    "forget": "removed from the state",
    "refresh": "refreshed",
}


def confirm(tty: bool, destroying: bool, targeted: bool = False) -> None:
    """Return only when the user typed yes; exit 1 otherwise, or when there is no terminal to ask on. A `targeted`
    destroy deletes only the objects its plan lists."""
    if not tty:
        click.secho(
            "Error: not on a terminal, so there is no one to confirm: pass --auto-approve, or apply a saved plan.",
            fg="red",
            err=True,
        )
        raise SystemExit(1)
    what = "perform these actions"
    if destroying:
        what = "destroy the objects listed above" if targeted else "destroy every object of this project"
    answer = click.prompt(
        f"\nassistplan will {what}.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        click.echo(f"{'Destroy' if destroying else 'Apply'} cancelled.")
        raise SystemExit(1)


class ApplyHooks:
    """Progress on a terminal; one line per finished action otherwise (CI logs). Created `held`, it keeps every line
    back until `release`: an apply that asks for no confirmation starts its actions while its plan is still being
    rendered, and their lines follow the plan."""

    def __init__(self, tty: bool, *, held: bool = False) -> None:
        self.tty = tty
        self._last: dict[str, str] = {}
        self._lock = threading.Lock()
        self._held: list[Callable[[], None]] | None = [] if held else None

    def release(self) -> None:
        """Print the lines kept back, in order; from now on each line is printed as it comes."""
        with self._lock:
            held, self._held = self._held or [], None
            for say in held:
                say()

    def started(self, change: ResourceChange, step: str) -> None:
        if self.tty:
            self._say(lambda: click.echo(f"{change.address}: {step}...", err=True))

    def progress(self, address: Address, message: str) -> None:
        """One line per new message: polling for indexing repeats the same message until the count moves."""
        if self.tty and self._last.get(address) != message:
            self._last[address] = message
            self._say(lambda: click.echo(f"{address}: {message}", err=True))

    def finished(self, result: ActionResult) -> None:
        if result.skipped:
            self._say(lambda: click.echo(f"{result.address}: {result.error}", err=True))
        elif result.ok:
            line = f"{result.address}: {PAST.get(result.step, result.step)} ({result.seconds:.1f}s)"
            self._say(lambda: click.echo(line, err=True))
        else:
            line = f"{result.address}: {result.step} failed: {result.error}"
            self._say(lambda: click.secho(line, fg="red", err=True))

    def _say(self, say: Callable[[], None]) -> None:
        """Print now, or keep for `release` while held (under one lock, so that lines keep their order)."""
        with self._lock:
            if self._held is not None:
                self._held.append(say)
            else:
                say()


def report(result: ApplyResult, refresh_only: bool, destroying: bool = False) -> None:
    """The counts of what was done (for `destroy`, what was destroyed); exit 1 listing what failed or was skipped."""
    added = result.count("create") + result.count("replace")
    changed = result.count("update")
    destroyed = result.count("delete") + result.count("delete old")
    if refresh_only:
        click.echo(f"\nRefresh complete: {result.count('refresh')} recorded, {result.count('forget')} forgotten.")
    failed, skipped = result.failed, result.skipped
    summary = f"{added} added, {changed} changed, {destroyed} destroyed."
    command = "Apply"
    if destroying:
        summary, command = f"{destroyed} destroyed.", "Destroy"
    if not failed and not skipped:
        if not refresh_only:
            click.secho(f"\n{command} complete! Resources: {summary}", fg="green", bold=True)
        return
    click.secho(f"\n{command} failed. Resources: {summary}", fg="red", bold=True, err=True)
    for item in failed:
        rid = (
            f" (request id {item.request_id})" if item.request_id and item.request_id not in (item.error or "") else ""
        )
        click.secho(f"  failed:  {item.address} {item.step}: {item.error}{rid}", fg="red", err=True)
    for item in skipped:
        click.echo(f"  skipped: {item.address}: {item.error}", err=True)
    raise SystemExit(1)
