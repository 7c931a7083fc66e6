"""Adoption of what an export wrote: the project is loaded again with the new manifests, each exported object is
stamped with this project's labels and recorded in the state, so that the next plan (with or without the state file)
shows no changes.

An object whose manifest gives exactly its live spec is stamped with the manifest's digest (and per-field hashes
where its kind keeps them), as an apply would have; one that differs (something its manifest cannot say) is stamped
as `import` stamps, with no digest, and reported, so that the next plan shows the difference.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from assistplan.addrs import Address
from assistplan.kinds.base import KindContext, LiveObject, NoRecords, labels
from assistplan.manifest import load_project
from assistplan.plan.desired import Desired, desired_resources
from assistplan.plan.matching import fill_unread
from assistplan.state import ResourceState, StateFile

if TYPE_CHECKING:
    from assistplan.export import ExportOptions, ExportResult, Item
    from assistplan.export.selection import Selection
    from assistplan.workflow import Workspace


def adopt(
    workspace: Workspace, selection: Selection, items: list[Item], options: ExportOptions, result: ExportResult
) -> None:
    """Stamp and record every written item that is adopted (`options.parallelism` at a time)."""
    workspace.project = load_project(
        workspace.root, cli_vars=options.cli_vars, var_files=options.var_files, environment=workspace.environment
    )
    inventory = selection.inventory
    adopted = [(item.address, item.obj) for item in items if item.exported.adopt and item.obj is not None]
    for address, obj in adopted:
        inventory.id_to_address[obj.id] = address
    for objects in inventory.objects.values():
        for obj in objects:
            obj.spec = None
    state = workspace.load_state() or workspace.store.write(StateFile.new(workspace.name))
    desired = desired_resources(workspace.project, workspace.kinds, state)

    def one(pair: tuple[Address, LiveObject]) -> tuple[Address, bool]:
        address, obj = pair
        want = desired[address]
        kind = want.kind
        live = inventory.normalized(obj, kind)
        wanted = kind.fold_live(want.spec, live)
        same = fill_unread(live, wanted) == wanted
        stamp = (
            labels(workspace.name, address, want.digest, want.spec if kind.fields_in_labels else None)
            if same
            else labels(workspace.name, address, "")
        )
        context = KindContext(
            workspace.name, workspace.provider(kind.provider), inventory, workspace.root, NoRecords(workspace.name)
        )
        # an object that already carries these labels (this project's, applied before its state was lost) is kept
        # as it is: stamping a skill again would upload a new version
        marked = same and (obj.project, obj.address, obj.digest) == (workspace.name, str(address), want.digest)
        stamped = obj if marked else kind.stamp(context, address, obj, stamp)
        stamped.spec = None
        workspace.store.record(address, _record(address, stamped, inventory.normalized(stamped, kind), want, same))
        return address, same

    with ThreadPoolExecutor(max_workers=max(1, options.parallelism)) as pool:
        for address, same in pool.map(one, adopted):
            result.adopted.append(address)
            if not same:
                result.differing.append(address)
    workspace.store.compact()


def _record(address: Address, stamped: LiveObject, live: dict[str, object], want: Desired, same: bool) -> ResourceState:
    return ResourceState(
        kind=address.kind,
        name=address.name,
        id=stamped.id,
        digest=want.digest if same else "",
        applied=fill_unread(live, want.spec),
        imported=True,
    )
