"""`assistplan export`: write manifests for live objects and adopt them, so that the next plan shows no changes.

The steps: list every exportable kind with an inventory that keeps unowned objects (`selection`), make each chosen
object's document through its kind's `export` hook (`kinds.exporting`), refuse clashes with what the project already
has (an address it declares, a file that exists) unless merging, write the files (`writing`), then load the project
again and adopt what was written (`adoption`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistplan.addrs import Address
from assistplan.errors import AssistplanError, NotFoundError
from assistplan.export.selection import Filters, Selection, exportable, manifest_only, select, with_referrers
from assistplan.export.writing import document_text
from assistplan.kinds.base import Kind, KindContext, LiveObject, NoRecords
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.plan.refresh import new_inventory, normalize

if TYPE_CHECKING:
    from assistplan.workflow import Workspace


class ExportClash(AssistplanError):
    """What the export would write already exists: nothing was written."""


@dataclass(frozen=True)
class ExportOptions:
    filters: Filters = field(default_factory=Filters)
    out: Path | None = None
    """Folder the paths are relative to (default: the manifest root); must be inside the manifest root."""
    merge: bool = False
    """Skip what exists instead of refusing."""
    dry_run: bool = False
    parallelism: int = 8
    cli_vars: Mapping[str, str] = field(default_factory=dict)
    var_files: Sequence[Path] = ()


@dataclass(frozen=True)
class Item:
    """One manifest the export writes (or would write)."""

    address: Address
    exported: Exported
    obj: LiveObject | None
    """The live object it was made from (None for a manifest-only kind's document, a Function)."""


@dataclass
class ExportResult:
    written: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """What exists already (merge): addresses the project declares, or the files they would go to."""
    adopted: list[Address] = field(default_factory=list)
    differing: list[Address] = field(default_factory=list)
    """Adopted objects whose manifest does not say exactly what the live object holds (the next plan shows it)."""
    unserved: list[str] = field(default_factory=list)
    """Kinds left out because the server does not serve them, and objects an export hook left out, with the
    reason."""


def run_export(workspace: Workspace, options: ExportOptions) -> ExportResult:
    """Export, write and adopt; raises ExportClash (nothing written) when something exists and not merging."""
    root = workspace.root
    out = (options.out if options.out is not None else root).resolve()
    if not out.is_relative_to(root):
        raise AssistplanError(f"--out {out} is outside the manifest root {root}: export adopts what it writes")
    result = ExportResult()
    selection = _listed(workspace, options, result)
    items = _documents(workspace, selection, options.filters, out.relative_to(root).as_posix(), result)
    items = _without_clashes(root, items, options.merge, result)
    if options.dry_run:
        result.written = items
        return result
    for item in items:
        _write(root, item)
    result.written = items
    if any(item.exported.adopt and item.obj is not None for item in items):
        from assistplan.export.adoption import adopt

        adopt(workspace, selection, items, options, result)
    return result


def _listed(workspace: Workspace, options: ExportOptions, result: ExportResult) -> Selection:
    state = workspace.load_state()
    inventory = new_inventory(workspace.name, state, options.parallelism)
    inventory.exporting = True
    kinds = _to_list(workspace, options.filters.kinds)
    served = []
    for kind in kinds:
        reason = kind.unserved(workspace.project.config)
        if reason is None:
            served.append(kind)
        else:
            result.unserved.append(f"{kind.kind}: {reason}")
    records = NoRecords(workspace.name)
    with ThreadPoolExecutor(max_workers=max(1, options.parallelism)) as pool:
        futures = {
            kind.kind: pool.submit(
                kind.refresh,
                KindContext(workspace.name, workspace.provider(kind.provider), inventory, workspace.root, records),
            )
            for kind in served
        }
        for name, future in futures.items():
            try:
                inventory.objects[name] = future.result()
            except NotFoundError as error:
                result.unserved.append(f"{name}: {error}")
    for objects in inventory.objects.values():
        for obj in objects:
            if obj.project == inventory.project and obj.address:
                inventory.id_to_address.setdefault(obj.id, obj.address)
    normalize(inventory, {kind.kind: kind for kind in served if kind.kind in inventory.objects})
    listed = {name: kind for name, kind in workspace.kinds.items() if name in inventory.objects}
    return select(workspace.name, inventory, listed, workspace.project.resources, options.filters)


def _to_list(workspace: Workspace, wanted: frozenset[str]) -> list[Kind]:
    """The kinds to list: the exportable ones asked for (all by default; a manifest-only kind, a Function, comes from
    the kinds that refer to it), what they refer to and what their normalization reads, of the providers the project
    has."""
    everything = {name: kind for name, kind in workspace.kinds.items() if _configured(workspace, kind)}
    written = manifest_only()
    known = {name for name, kind in everything.items() if exportable(kind)} | written
    unknown = sorted(set(wanted) - known - set(workspace.kinds))
    if unknown:
        raise AssistplanError(f"unknown kind {', '.join(unknown)} (kinds that export: {', '.join(sorted(known))})")
    names = with_referrers(wanted or known, everything) - written
    stack = list(names)
    while stack:
        kind = everything.get(stack.pop())
        for other in (*kind.depends_on, *kind.reads) if kind is not None else ():
            if other in everything and other not in names:
                names.add(other)
                stack.append(other)
    return [kind for name, kind in everything.items() if name in names]


def _configured(workspace: Workspace, kind: Kind) -> bool:
    """Whether assistplan.yaml has a section for the kind's provider."""
    return getattr(workspace.project.config, kind.provider, None) is not None


def _documents(
    workspace: Workspace, selection: Selection, filters: Filters, prefix: str, result: ExportResult
) -> list[Item]:
    project = workspace.project
    context = ExportContext(workspace.name, selection.inventory, selection.names, selection.include, project.functions)
    items: list[Item] = []
    dropped: dict[str, Address] = {}
    """Remote id -> address of the objects whose hook wrote nothing."""
    while selection.queue:
        obj = selection.queue.popleft()
        address = Address(obj.kind, selection.names[obj.id])
        if address in project.resources:
            result.skipped.append(address)
            continue
        said = len(context.left_out)
        context.exporting = obj.id
        exported = selection.kinds[obj.kind].export(obj, context)
        context.exporting = None
        if exported is not None:
            items.append(Item(address, exported, obj))
            continue
        dropped[obj.id] = address
        if len(context.left_out) == said:
            context.left_out.append(f"{address}: it cannot be written as a manifest")
    items = _without_dangling(items, dropped, context)
    if filters.kinds:
        items = [
            item
            for item in items
            if item.address.kind in filters.kinds or item.obj is None or item.obj.id not in selection.chosen
        ]
    result.unserved.extend(context.left_out)
    shared = [Item(Address(e.document["kind"], e.document["name"]), e, None) for e in context.function_documents()]
    return [_under(prefix, item) for item in [*shared, *items]]


def _without_dangling(items: list[Item], dropped: dict[str, Address], context: ExportContext) -> list[Item]:
    """The items that name no dropped object, directly or through others: a manifest naming one would not load."""
    kept = list(items)
    while True:
        gone = []
        for item in kept:
            named = context.refers.get(item.obj.id, set()) if item.obj is not None else set()
            missing = sorted(str(dropped[remote_id]) for remote_id in named if remote_id in dropped)
            if item.obj is not None and missing:
                gone.append((item, item.obj.id, missing))
        if not gone:
            return kept
        for item, remote_id, missing in gone:
            kept.remove(item)
            dropped[remote_id] = item.address
            context.left_out.append(f"{item.address}: it names {', '.join(missing)}, which is not exported")


def _under(prefix: str, item: Item) -> Item:
    """The item with its paths relative to the manifest root (the documents' own paths stay relative)."""
    if prefix in ("", "."):
        return item
    exported = item.exported
    moved = Exported(
        exported.document,
        f"{prefix}/{exported.path}",
        {f"{prefix}/{path}": text for path, text in exported.files.items()},
        exported.comments,
        exported.adopt,
    )
    return Item(item.address, moved, item.obj)


def _without_clashes(root: Path, items: list[Item], merge: bool, result: ExportResult) -> list[Item]:
    clashes: list[str] = []
    kept = []
    for item in items:
        existing = [path for path in (item.exported.path, *item.exported.files) if (root / path).exists()]
        if existing:
            clashes.append(f"{item.address}: {', '.join(existing)} exists")
        else:
            kept.append(item)
    if merge:
        result.skipped.extend(clashes)
        return kept
    declared = [f"{address}: the project already has it" for address in result.skipped]
    if declared or clashes:
        listing = "\n".join(f"  {line}" for line in [*declared, *clashes])
        raise ExportClash(
            "export never overwrites a file or duplicates an address, and these exist (nothing was written; "
            f"--merge skips them, --unowned exports only what no project manages):\n{listing}"
        )
    return kept


def _write(root: Path, item: Item) -> None:
    for path, text in item.exported.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8", newline="") as handle:
            handle.write(text)
    target = root / item.exported.path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8", newline="") as handle:
        handle.write(document_text(item.exported))


__all__ = ["ExportClash", "ExportOptions", "ExportResult", "Filters", "Item", "run_export"]
