"""The planner, specified by tables: manifests x state x live objects -> (action, reason) per address, and drift.

Each row is one behaviour. Inputs come from `fakes`: fake kinds (a VectorStore cannot change `chunking` in place;
Assistants and Agents refer to a store by address in `vector_store`), live objects stamped with the project's labels
as an apply stamps them, and state entries. No provider is contacted: every provider call of a fake kind fails.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistplan.plan.matching import UNREAD

from .fakes import (
    REASONS,
    PlanError,
    Scenario,
    blob,
    change,
    drift,
    fields,
    file_spec,
    files,
    live,
    order,
    outcomes,
    plan,
    recorded,
    summary,
    want,
)

KB = "VectorStore/kb"
NEW_KB = "VectorStore/knowledge"
BOT = "Assistant/bot"
HELPER = "Agent/helper"
FAQ = "File/faq"
VAULT = "Vault/ops"
TOKEN = "VaultCredential/token"

STORE = {"name": "kb", "chunking": 800}
EDITED = {"name": "kb v2", "chunking": 800}
OUTSIDE = {"name": "renamed outside", "chunking": 800}
RECHUNKED = {"name": "kb", "chunking": 400}
GUARDED = {**STORE, "secrets": {"token": {"fingerprint": "f1"}}}
ROTATED = {**STORE, "secrets": {"token": {"fingerprint": "f2"}}}
"""A spec holding a secret's keyed fingerprint, before and after the secret's value changed."""
BOT_SPEC = {"model": "m1", "vector_store": KB}
VAULT_SPEC = {"name": "ops", "region": "eu"}
MOVED_VAULT = {"name": "ops", "region": "us"}
TOKEN_SPEC = {"name": "token", "vault": VAULT}
USER_SPEC = {"model": "m1", "credential": TOKEN}
BOT_EDITED = {"model": "m2", "vector_store": KB}
HELPER_SPEC = {"model": "m1", "vector_store": KB}

SHA = "a" * 32
FAQ_FILE = file_spec("faq.md", SHA)
STORE_WITH_FAQ = {**STORE, "files": files(("faq.md", SHA))}
EXISTING_FAQ = {"existing": "faq-1", "purpose": "assistants"}


def row(id: str, scenario: Scenario, expected: Any) -> Any:
    return pytest.param(scenario, expected, id=id)


def kb_applied(spec: dict[str, Any] = STORE, *, edited_to: dict[str, Any] | None = None) -> dict[str, Any]:
    """State and live object of VectorStore/kb after an apply of `spec`; `edited_to` is the live spec after a change
    made outside assistplan (the labels stay those of the apply)."""
    now = spec if edited_to is None else edited_to
    return {"state": [recorded(KB, spec)], "live": [live(KB, now, applied=spec)]}


def stack_applied() -> dict[str, Any]:
    """State and live objects of the store and the assistant that uses it, as applied."""
    return {
        "state": [recorded(KB, STORE), recorded(BOT, BOT_SPEC)],
        "live": [live(KB, STORE), live(BOT, BOT_SPEC)],
    }


def vault_applied() -> dict[str, Any]:
    """State and live objects of a vault, a credential in it, and an agent using the credential, as applied."""
    return {
        "state": [recorded(VAULT, VAULT_SPEC), recorded(TOKEN, TOKEN_SPEC), recorded(HELPER, USER_SPEC)],
        "live": [live(VAULT, VAULT_SPEC), live(TOKEN, TOKEN_SPEC), live(HELPER, USER_SPEC)],
    }


VAULT_STACK = [want(TOKEN, TOKEN_SPEC, depends_on=[VAULT]), want(HELPER, USER_SPEC, depends_on=[TOKEN])]


# One row per ActionReason: the simplest inputs that give it.
REASON_ROWS = [
    row("new", Scenario(want=[want(KB, STORE)]), {KB: ("create", "new")}),
    row(
        "manifest_changed",
        Scenario(want=[want(KB, EDITED)], **kb_applied()),
        {KB: ("update", "manifest_changed")},
    ),
    row(
        "secret_changed-only-a-secret-s-fingerprint-changed",
        Scenario(want=[want(KB, ROTATED)], **kb_applied(GUARDED)),
        {KB: ("update", "secret_changed")},
    ),
    row(
        "manifest_changed-a-secret-and-another-field-changed",
        Scenario(want=[want(KB, {**ROTATED, "name": "kb v2"})], **kb_applied(GUARDED)),
        {KB: ("update", "manifest_changed")},
    ),
    row(
        "drift-changed-outside-manifest-unchanged",
        Scenario(want=[want(KB, STORE)], **kb_applied(edited_to=OUTSIDE)),
        {KB: ("update", "drift")},
    ),
    row(
        "drift-a-record-adopted-without-a-digest-whose-spec-the-manifest-still-asks-for",
        Scenario(
            want=[want(KB, STORE)],
            state=[recorded(KB, STORE, digested=False)],
            live=[live(KB, OUTSIDE, digested=False)],
        ),
        {KB: ("update", "drift")},
    ),
    row(
        "manifest_changed-a-record-without-a-digest-both-the-manifest-and-the-object-moved-from",
        Scenario(
            want=[want(KB, EDITED)],
            state=[recorded(KB, STORE, digested=False)],
            live=[live(KB, OUTSIDE, digested=False)],
        ),
        {KB: ("update", "manifest_changed")},
    ),
    row(
        "differs-a-record-without-a-digest-that-is-what-the-object-still-is",
        Scenario(
            want=[want(KB, EDITED)], state=[recorded(KB, STORE, digested=False)], live=[live(KB, STORE, digested=False)]
        ),
        {KB: ("update", "differs")},
    ),
    row(
        "differs-no-state-and-no-digest-label-cannot-tell-which-side-changed",
        Scenario(want=[want(KB, EDITED)], live=[live(KB, STORE, digested=False)]),
        {KB: ("update", "differs")},
    ),
    row(
        "remote_missing-recorded-desired-not-live",
        Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE)]),
        {KB: ("create", "remote_missing")},
    ),
    row(
        "replace_because_cannot_update-replace-path-changed",
        Scenario(want=[want(KB, RECHUNKED)], **kb_applied()),
        {KB: ("replace", "replace_because_cannot_update")},
    ),
    row(
        "removed_from_manifest",
        Scenario(**kb_applied()),
        {KB: ("delete", "removed_from_manifest")},
    ),
    row(
        "destroy",
        Scenario(want=[want(KB, STORE)], destroy=True, **kb_applied()),
        {KB: ("delete", "destroy")},
    ),
    row(
        "already_gone-recorded-not-live-not-desired",
        Scenario(state=[recorded(KB, STORE)]),
        {KB: ("forget", "already_gone")},
    ),
    row(
        "dependency_replaced",
        Scenario(
            want=[want(KB, RECHUNKED), want(BOT, BOT_SPEC, depends_on=[KB])],
            **stack_applied(),
        ),
        {KB: ("replace", "replace_because_cannot_update"), BOT: ("update", "dependency_replaced")},
    ),
    row(
        "duplicate-two-objects-stamped-with-one-address",
        Scenario(want=[want(KB, STORE)], live=[live(KB, STORE, id="kb-1"), live(KB, STORE, id="kb-2")]),
        {KB: ("no-op", None), "VectorStore/kb#kb-2": ("delete", "duplicate")},
    ),
    row(
        "orphan-address-label-unusable",
        Scenario(live=[live(KB, STORE, label="kb")]),
        {"VectorStore/#kb-1": ("delete", "orphan")},
    ),
    row(
        "unused-project-upload-nothing-needs",
        Scenario(want=[want(KB, STORE)], live=[live(KB, STORE)], blobs=[blob("old.md", SHA, id="file-9")]),
        {KB: ("no-op", None), "File/old.md#file-9": ("delete", "unused")},
    ),
    row(
        "shared-removed-file-whose-content-a-store-uploads",
        Scenario(
            want=[want(KB, STORE_WITH_FAQ)],
            state=[recorded(FAQ, FAQ_FILE), recorded(KB, STORE_WITH_FAQ)],
            live=[live(FAQ, FAQ_FILE), live(KB, STORE_WITH_FAQ)],
            blobs=[blob("faq.md", SHA, id="faq-1")],
        ),
        {KB: ("no-op", None), FAQ: ("forget", "shared")},
    ),
    row(
        "foreign-removed-file-given-by-id",
        Scenario(state=[recorded(FAQ, EXISTING_FAQ)], live=[live(FAQ, EXISTING_FAQ, stamped=False, id="faq-1")]),
        {FAQ: ("forget", "foreign")},
    ),
    row(
        "moved-renamed-with-moved_from-keeps-the-object",
        Scenario(want=[want(NEW_KB, STORE, moved_from=[KB])], **kb_applied()),
        {NEW_KB: ("update", "moved")},
    ),
    row(
        "replace_requested-unchanged-resource-named-by-replace",
        Scenario(want=[want(KB, STORE)], replace=[KB], **kb_applied()),
        {KB: ("replace", "replace_requested")},
    ),
]


@pytest.mark.parametrize(("scenario", "expected"), REASON_ROWS)
def test_each_reason(scenario: Scenario, expected: dict[str, Any]) -> None:
    assert outcomes(plan(scenario)) == expected


def test_every_reason_has_a_row() -> None:
    reasons = {reason for param in REASON_ROWS for _, reason in param.values[1].values() if reason is not None}
    assert reasons == REASONS


BEHAVIOUR_ROWS = [
    # No-ops and matching.
    row("equal-to-state-and-live-is-no-op", Scenario(want=[want(KB, STORE)], **kb_applied()), {KB: ("no-op", None)}),
    row(
        "no-state-digest-label-proves-applied-is-no-op",
        Scenario(want=[want(KB, STORE)], live=[live(KB, STORE)]),
        {KB: ("no-op", None)},
    ),
    row(
        "no-state-field-the-api-does-not-return-proven-by-label-is-no-op",
        Scenario(
            want=[want(KB, {**STORE, "description": "d"})],
            live=[live(KB, STORE, applied={**STORE, "description": "d"})],
        ),
        {KB: ("no-op", None)},
    ),
    row(
        "no-state-field-the-api-does-not-return-changed-in-manifest-is-update",
        Scenario(
            want=[want(KB, {**STORE, "description": "e"})],
            live=[live(KB, STORE, applied={**STORE, "description": "d"})],
        ),
        {KB: ("update", "manifest_changed")},
    ),
    row(
        "no-state-label-of-an-older-spec-is-manifest_changed",
        Scenario(want=[want(KB, EDITED)], live=[live(KB, STORE)]),
        {KB: ("update", "manifest_changed")},
    ),
    row(
        "no-state-stamped-object-not-desired-is-removed",
        Scenario(live=[live(KB, STORE)]),
        {KB: ("delete", "removed_from_manifest")},
    ),
    row(
        "labels-beat-stale-ids-stamped-object-adopted",
        Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE, id="kb-old")], live=[live(KB, STORE, id="kb-new")]),
        {KB: ("no-op", None)},
    ),
    row(
        "unstamped-object-recorded-in-state-is-matched-by-id",
        Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE)], live=[live(KB, STORE, stamped=False)]),
        {KB: ("no-op", None)},
    ),
    row(
        "unstamped-object-unknown-to-state-is-neither-adopted-nor-deleted",
        Scenario(want=[want(KB, STORE)], live=[live(KB, STORE, stamped=False)]),
        {KB: ("create", "new")},
    ),
    row(
        "object-stamped-by-another-project-is-never-touched",
        Scenario(want=[want(KB, STORE)], live=[live(KB, STORE, project="other")]),
        {KB: ("create", "new")},
    ),
    row(
        "drift-and-manifest-change-together-is-manifest_changed",
        Scenario(want=[want(KB, EDITED)], **kb_applied(edited_to=OUTSIDE)),
        {KB: ("update", "manifest_changed")},
    ),
    row(
        "drift-in-a-replace-path-is-a-replace",
        Scenario(want=[want(KB, STORE)], **kb_applied(edited_to=RECHUNKED)),
        {KB: ("replace", "replace_because_cannot_update")},
    ),
    # Leftovers.
    row(
        "duplicate-the-state-id-wins-over-listing-order",
        Scenario(
            want=[want(KB, STORE)],
            state=[recorded(KB, STORE, id="kb-2")],
            live=[live(KB, STORE, id="kb-1"), live(KB, STORE, id="kb-2")],
        ),
        {KB: ("no-op", None), "VectorStore/kb#kb-1": ("delete", "duplicate")},
    ),
    row(
        "duplicate-of-an-address-removed-from-manifests",
        Scenario(live=[live(KB, STORE, id="kb-1"), live(KB, STORE, id="kb-2")]),
        {KB: ("delete", "removed_from_manifest"), "VectorStore/kb#kb-2": ("delete", "duplicate")},
    ),
    row(
        "duplicate-of-a-protected-address-is-still-deleted",
        Scenario(
            want=[want(KB, STORE, prevent_destroy=True)],
            live=[live(KB, STORE, id="kb-1"), live(KB, STORE, id="kb-2")],
        ),
        {KB: ("no-op", None), "VectorStore/kb#kb-2": ("delete", "duplicate")},
    ),
    row(
        "orphan-label-names-an-address-of-another-kind",
        Scenario(live=[live(KB, STORE, label=BOT)]),
        {"VectorStore/#kb-1": ("delete", "orphan")},
    ),
    row(
        "second-upload-of-a-needed-file-is-unused",
        Scenario(
            want=[want(KB, STORE_WITH_FAQ)],
            live=[live(KB, STORE_WITH_FAQ)],
            blobs=[blob("faq.md", SHA, id="file-1"), blob("faq.md", SHA, id="file-2")],
        ),
        {KB: ("no-op", None), "File/faq.md#file-2": ("delete", "unused")},
    ),
    row(
        "removed-file-no-store-uploads-is-deleted",
        Scenario(state=[recorded(FAQ, FAQ_FILE)], live=[live(FAQ, FAQ_FILE)]),
        {FAQ: ("delete", "removed_from_manifest")},
    ),
    # Replacements and what refers to them.
    row(
        "dependent-of-a-recreated-resource-is-dependency_replaced",
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB])],
            state=[recorded(KB, STORE), recorded(BOT, BOT_SPEC)],
            live=[live(BOT, BOT_SPEC)],
        ),
        {KB: ("create", "remote_missing"), BOT: ("update", "dependency_replaced")},
    ),
    row(
        "dependent-through-a-path-it-cannot-change-is-replaced-and-what-refers-to-it-updated",
        Scenario(want=[want(VAULT, MOVED_VAULT), *VAULT_STACK], **vault_applied()),
        {
            VAULT: ("replace", "replace_because_cannot_update"),
            TOKEN: ("replace", "dependency_replaced"),
            HELPER: ("update", "dependency_replaced"),
        },
    ),
    row(
        "dependent-of-a-replace-requested-resource-it-cannot-follow-is-replaced",
        Scenario(want=[want(VAULT, VAULT_SPEC), *VAULT_STACK], replace=[VAULT], **vault_applied()),
        {
            VAULT: ("replace", "replace_requested"),
            TOKEN: ("replace", "dependency_replaced"),
            HELPER: ("update", "dependency_replaced"),
        },
    ),
    row(
        "dependent-updated-anyway-keeps-manifest_changed",
        Scenario(want=[want(KB, RECHUNKED), want(BOT, BOT_EDITED, depends_on=[KB])], **stack_applied()),
        {KB: ("replace", "replace_because_cannot_update"), BOT: ("update", "manifest_changed")},
    ),
    row(
        "prevent_destroy-allows-updates",
        Scenario(want=[want(KB, EDITED, prevent_destroy=True)], **kb_applied()),
        {KB: ("update", "manifest_changed")},
    ),
    # lifecycle.ignore_changes.
    row(
        "ignored-field-changed-outside-is-no-op",
        Scenario(want=[want(KB, STORE, ignore_changes=["name"])], **kb_applied(edited_to=OUTSIDE)),
        {KB: ("no-op", None)},
    ),
    row(
        "ignored-field-changed-in-manifest-is-no-op",
        Scenario(want=[want(KB, EDITED, ignore_changes=["name"])], **kb_applied()),
        {KB: ("no-op", None)},
    ),
    row(
        "ignored-nested-path-keeps-sibling-changes",
        Scenario(
            want=[want(KB, {**STORE, "metadata": {"team": "a", "owner": "y"}}, ignore_changes=["metadata.team"])],
            **kb_applied(
                {**STORE, "metadata": {"team": "a", "owner": "x"}},
                edited_to={**STORE, "metadata": {"team": "b", "owner": "x"}},
            ),
        ),
        {KB: ("update", "manifest_changed")},
    ),
    # --destroy.
    row(
        "destroy-deletes-everything-the-project-owns",
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB])],
            state=[recorded(KB, STORE), recorded(BOT, BOT_SPEC), recorded(HELPER, HELPER_SPEC)],
            live=[live(KB, STORE), live(BOT, BOT_SPEC), live(KB, STORE, id="kb-2")],
            blobs=[blob("faq.md", SHA, id="file-1")],
            destroy=True,
        ),
        {
            KB: ("delete", "destroy"),
            BOT: ("delete", "destroy"),
            HELPER: ("forget", "already_gone"),
            "VectorStore/kb#kb-2": ("delete", "duplicate"),
            "File/faq.md#file-1": ("delete", "unused"),
        },
    ),
    row(
        "destroy-target-spares-what-the-target-depends-on",
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB]), want(HELPER, HELPER_SPEC, depends_on=[KB])],
            state=[recorded(KB, STORE), recorded(BOT, BOT_SPEC), recorded(HELPER, HELPER_SPEC)],
            live=[live(KB, STORE), live(BOT, BOT_SPEC), live(HELPER, HELPER_SPEC)],
            destroy=True,
            targets=[BOT],
        ),
        {BOT: ("delete", "destroy")},
    ),
    row(
        "destroy-target-is-not-forbidden-by-prevent_destroy-outside-it",
        Scenario(
            want=[
                want(KB, STORE),
                want(BOT, BOT_SPEC, depends_on=[KB]),
                want(HELPER, HELPER_SPEC, prevent_destroy=True),
            ],
            state=[recorded(KB, STORE), recorded(BOT, BOT_SPEC), recorded(HELPER, HELPER_SPEC)],
            live=[live(KB, STORE), live(BOT, BOT_SPEC), live(HELPER, HELPER_SPEC)],
            destroy=True,
            targets=[KB],
        ),
        {KB: ("delete", "destroy"), BOT: ("delete", "destroy")},
    ),
    row(
        "target-is-not-forbidden-by-a-replace-outside-it-that-prevent_destroy-forbids",
        Scenario(
            want=[want(KB, RECHUNKED, prevent_destroy=True), want(HELPER, HELPER_SPEC)],
            state=[recorded(KB, STORE)],
            live=[live(KB, STORE)],
            targets=[HELPER],
        ),
        {HELPER: ("create", "new")},
    ),
    row(
        "destroy-target-takes-what-depends-on-the-target",
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB])],
            destroy=True,
            targets=[KB],
            **stack_applied(),
        ),
        {KB: ("delete", "destroy"), BOT: ("delete", "destroy")},
    ),
    # --refresh-only.
    row(
        "refresh-only-plans-nothing-for-a-manifest-change",
        Scenario(want=[want(KB, EDITED)], refresh_only=True, **kb_applied()),
        {KB: ("no-op", None)},
    ),
    row(
        "refresh-only-does-not-revert-drift",
        Scenario(want=[want(KB, STORE)], refresh_only=True, **kb_applied(edited_to=OUTSIDE)),
        {KB: ("no-op", None)},
    ),
    row(
        "refresh-only-object-gone-is-already_gone",
        Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE)], refresh_only=True),
        {KB: ("no-op", "already_gone")},
    ),
    row(
        "refresh-only-plans-no-leftovers",
        Scenario(
            want=[want(KB, STORE)],
            live=[live(KB, STORE, id="kb-1"), live(KB, STORE, id="kb-2"), live("VectorStore/x", STORE, label="x")],
            blobs=[blob("old.md", SHA, id="file-9")],
            refresh_only=True,
        ),
        {KB: ("no-op", None)},
    ),
    row(
        "refresh-only-never-created-resource-has-no-reason",
        Scenario(want=[want(KB, STORE)], refresh_only=True),
        {KB: ("no-op", None)},
    ),
    # --target.
    row(
        "target-plans-the-target-and-its-dependencies",
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB]), want(HELPER, HELPER_SPEC, depends_on=[KB])],
            live=[live("VectorStore/x", STORE, label="x")],
            targets=[BOT],
        ),
        {KB: ("create", "new"), BOT: ("create", "new")},
    ),
    row(
        "target-a-leftover",
        Scenario(
            want=[want(KB, STORE)], live=[live(KB, STORE), live(KB, STORE, id="kb-2")], targets=["VectorStore/kb#kb-2"]
        ),
        {"VectorStore/kb#kb-2": ("delete", "duplicate")},
    ),
    row(
        "target-a-replaced-resource-updates-what-refers-to-it",
        Scenario(want=[want(KB, RECHUNKED), want(BOT, BOT_SPEC, depends_on=[KB])], targets=[KB], **stack_applied()),
        {KB: ("replace", "replace_because_cannot_update"), BOT: ("update", "dependency_replaced")},
    ),
    row(
        "target-a-replaced-resource-replaces-what-cannot-follow-it-and-updates-what-refers-to-that",
        Scenario(want=[want(VAULT, VAULT_SPEC), *VAULT_STACK], targets=[VAULT], replace=[VAULT], **vault_applied()),
        {
            VAULT: ("replace", "replace_requested"),
            TOKEN: ("replace", "dependency_replaced"),
            HELPER: ("update", "dependency_replaced"),
        },
    ),
    # Moves: the object keeps its id; the update restamps its labels.
    row(
        "moved-no-state-found-by-its-old-address-label",
        Scenario(want=[want(NEW_KB, STORE, moved_from=[KB])], live=[live(KB, STORE)]),
        {NEW_KB: ("update", "moved")},
    ),
    row(
        "moved-with-a-changed-field-is-one-update",
        Scenario(want=[want(NEW_KB, EDITED, moved_from=[KB])], **kb_applied()),
        {NEW_KB: ("update", "moved")},
    ),
    row(
        "moved-in-the-state-only-label-still-old-is-restamped",
        Scenario(want=[want(NEW_KB, STORE)], state=[recorded(NEW_KB, STORE)], live=[live(KB, STORE, id="knowledge-1")]),
        {NEW_KB: ("update", "moved")},
    ),
    row(
        "moved-already-applied-is-no-op",
        Scenario(
            want=[want(NEW_KB, STORE, moved_from=[KB])], state=[recorded(NEW_KB, STORE)], live=[live(NEW_KB, STORE)]
        ),
        {NEW_KB: ("no-op", None)},
    ),
    row(
        "moved-from-the-newest-of-several-old-addresses",
        Scenario(
            want=[want(NEW_KB, STORE, moved_from=["VectorStore/first", KB])],
            state=[recorded(KB, STORE)],
            live=[live(KB, STORE)],
        ),
        {NEW_KB: ("update", "moved")},
    ),
    row(
        "moved-recorded-under-both-addresses-as-one-object-is-the-move-already-made",
        Scenario(
            want=[want(NEW_KB, STORE, moved_from=[KB])],
            state=[recorded(KB, STORE, id="kb-1"), recorded(NEW_KB, STORE, id="kb-1")],
            live=[live(NEW_KB, STORE, id="kb-1")],
        ),
        {NEW_KB: ("no-op", None)},
    ),
    row(
        "destroy-with-a-move-to-an-address-the-state-records-deletes-both-objects",
        Scenario(
            want=[want(NEW_KB, STORE, moved_from=[KB])],
            state=[recorded(KB, STORE), recorded(NEW_KB, STORE)],
            live=[live(KB, STORE), live(NEW_KB, STORE)],
            destroy=True,
        ),
        {KB: ("delete", "destroy"), NEW_KB: ("delete", "destroy")},
    ),
    row(
        "moved-refresh-only-changes-nothing",
        Scenario(want=[want(NEW_KB, STORE, moved_from=[KB])], refresh_only=True, **kb_applied()),
        {NEW_KB: ("no-op", None)},
    ),
    row(
        "moved-destroy-deletes-it-once",
        Scenario(want=[want(NEW_KB, STORE, moved_from=[KB])], destroy=True, **kb_applied()),
        {NEW_KB: ("delete", "destroy")},
    ),
    row(
        "moved-with-a-field-that-forces-replacement-is-replaced",
        Scenario(want=[want(NEW_KB, RECHUNKED, moved_from=[KB])], **kb_applied()),
        {NEW_KB: ("replace", "replace_because_cannot_update")},
    ),
    # --replace: create the new object, repoint what refers to it, then delete the old one.
    row(
        "replace-requested-repoints-dependents",
        Scenario(want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB])], replace=[KB], **stack_applied()),
        {KB: ("replace", "replace_requested"), BOT: ("update", "dependency_replaced")},
    ),
    row(
        "replace-requested-of-a-resource-not-yet-created-creates-it",
        Scenario(want=[want(KB, STORE)], replace=[KB]),
        {KB: ("create", "new")},
    ),
]


@pytest.mark.parametrize(("scenario", "expected"), BEHAVIOUR_ROWS)
def test_behaviour(scenario: Scenario, expected: dict[str, Any]) -> None:
    assert outcomes(plan(scenario)) == expected


ERROR_ROWS = [
    row(
        "prevent_destroy-forbids-a-replace",
        Scenario(want=[want(KB, RECHUNKED, prevent_destroy=True)], **kb_applied()),
        "VectorStore/kb would be replaced",
    ),
    row(
        "prevent_destroy-forbids-destroy",
        Scenario(want=[want(KB, STORE, prevent_destroy=True)], destroy=True, **kb_applied()),
        "VectorStore/kb would be destroyed",
    ),
    row(
        "prevent_destroy-forbids-destroying-what-depends-on-a-destroyed-target",
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB], prevent_destroy=True)],
            destroy=True,
            targets=[KB],
            **stack_applied(),
        ),
        "Assistant/bot would be destroyed",
    ),
    row(
        "unknown-target-names-the-closest-address",
        Scenario(want=[want(KB, STORE), want(HELPER, HELPER_SPEC)], targets=["Agent/helpr"]),
        '--target Agent/helpr (did you mean "Agent/helper"?): no such resource',
    ),
    row(
        "unknown-replace-names-the-closest-address",
        Scenario(want=[want(KB, STORE)], replace=["VectorStore/kbb"]),
        '--replace VectorStore/kbb (did you mean "VectorStore/kb"?): no such resource in the manifests',
    ),
    row(
        "unknown-target",
        Scenario(want=[want(KB, STORE)], targets=["Assistant/nope"]),
        "--target Assistant/nope: no such resource",
    ),
    row(
        "replace-of-an-address-not-in-the-manifests",
        Scenario(want=[want(KB, STORE)], replace=["Assistant/nope"]),
        "--replace Assistant/nope: no such resource in the manifests",
    ),
    row(
        "replace-of-a-file-which-is-its-content",
        Scenario(
            want=[want(FAQ, FAQ_FILE)], replace=[FAQ], state=[recorded(FAQ, FAQ_FILE)], live=[live(FAQ, FAQ_FILE)]
        ),
        "--replace File/faq: a File is its content",
    ),
    row(
        "replace-outside-the-targets",
        Scenario(want=[want(KB, STORE), want(HELPER, HELPER_SPEC)], targets=[KB], replace=[HELPER], **kb_applied()),
        "--replace Agent/helper: not among the --target resources and what they need",
    ),
    row(
        "moved-from-an-address-still-declared",
        Scenario(want=[want(KB, STORE), want(NEW_KB, STORE, moved_from=[KB])]),
        "VectorStore/knowledge says moved_from: VectorStore/kb, but VectorStore/kb is still declared",
    ),
    row(
        "moved-from-an-address-the-state-records-beside-the-new-one",
        Scenario(
            want=[want(NEW_KB, STORE, moved_from=[KB])],
            state=[recorded(KB, STORE), recorded(NEW_KB, STORE)],
            live=[live(KB, STORE), live(NEW_KB, STORE)],
        ),
        "VectorStore/knowledge says moved_from: VectorStore/kb, but the state records both: VectorStore/kb (kb-1)",
    ),
    row(
        "two-resources-moved-from-one-address",
        Scenario(want=[want(NEW_KB, STORE, moved_from=[KB]), want("VectorStore/other", STORE, moved_from=[KB])]),
        "both say moved_from: VectorStore/kb",
    ),
]


@pytest.mark.parametrize(("scenario", "message"), ERROR_ROWS)
def test_plan_error(scenario: Scenario, message: str) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        plan(scenario)


DRIFT_ROWS = [
    row("equal-has-no-drift", Scenario(want=[want(KB, STORE)], **kb_applied()), []),
    row(
        "changed-outside-from-last-applied-to-live",
        Scenario(want=[want(KB, STORE)], **kb_applied(edited_to=OUTSIDE)),
        [(KB, "kb-1", False, [("name", "changed", "kb", "renamed outside")])],
    ),
    row(
        "changed-outside-and-in-manifest-is-still-drift",
        Scenario(want=[want(KB, EDITED)], **kb_applied(edited_to=OUTSIDE)),
        [(KB, "kb-1", False, [("name", "changed", "kb", "renamed outside")])],
    ),
    row(
        "deleted-outside-desired",
        Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE)]),
        [(KB, "kb-1", True, [])],
    ),
    row(
        "deleted-outside-not-desired",
        Scenario(state=[recorded(KB, STORE)]),
        [(KB, "kb-1", True, [])],
    ),
    row(
        "no-state-changed-outside-from-stamped-spec-to-live",
        Scenario(want=[want(KB, STORE)], live=[live(KB, OUTSIDE, applied=STORE)]),
        [(KB, "kb-1", False, [("name", "changed", "kb", "renamed outside")])],
    ),
    row(
        "no-state-label-of-another-spec-knows-no-drift",
        Scenario(want=[want(KB, EDITED)], live=[live(KB, OUTSIDE, applied=STORE)]),
        [],
    ),
    row(
        "refresh-only-reports-drift",
        Scenario(want=[want(KB, STORE)], refresh_only=True, **kb_applied(edited_to=OUTSIDE)),
        [(KB, "kb-1", False, [("name", "changed", "kb", "renamed outside")])],
    ),
    row(
        "target-keeps-drift-of-the-closure-only",
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB]), want(HELPER, HELPER_SPEC, depends_on=[KB])],
            state=[recorded(KB, STORE), recorded(BOT, BOT_SPEC), recorded(HELPER, HELPER_SPEC)],
            live=[live(KB, STORE)],
            targets=[BOT],
        ),
        [(BOT, "bot-1", True, [])],
    ),
    row(
        "a-reference-to-a-moved-resource-follows-it-and-is-no-drift",
        Scenario(
            want=[
                want(NEW_KB, STORE, moved_from=[KB]),
                want(BOT, {**BOT_SPEC, "vector_store": NEW_KB}, depends_on=[NEW_KB]),
            ],
            state=[recorded(KB, STORE), recorded(BOT, BOT_SPEC)],
            live=[live(KB, STORE), live(BOT, {**BOT_SPEC, "vector_store": NEW_KB}, applied=BOT_SPEC)],
        ),
        [],
    ),
    row(
        "an-object-found-by-its-labels-where-the-state-records-a-gone-one-is-an-id-change",
        Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE, id="kb-old")], live=[live(KB, STORE, id="kb-new")]),
        [(KB, "kb-new", False, [("id", "changed", "kb-old", "kb-new")])],
    ),
    row(
        "an-object-of-the-project-the-state-does-not-record-is-an-added-id",
        Scenario(want=[want(KB, STORE)], state=[], live=[live(KB, STORE)]),
        [(KB, "kb-1", False, [("id", "added", None, "kb-1")])],
    ),
    row(
        "no-state-an-object-found-by-its-labels-is-no-drift",
        Scenario(want=[want(KB, STORE)], live=[live(KB, STORE)]),
        [],
    ),
    row(
        "ignored-field-changed-outside-is-reported",
        Scenario(want=[want(KB, STORE, ignore_changes=["name"])], **kb_applied(edited_to=OUTSIDE)),
        [(KB, "kb-1", False, [("name", "changed", "kb", "renamed outside")])],
    ),
]


@pytest.mark.parametrize(("scenario", "expected"), DRIFT_ROWS)
def test_drift(scenario: Scenario, expected: list[Any]) -> None:
    assert drift(plan(scenario)) == expected


# A field the API does not return (`description` below: the live spec lacks it) is compared through the hash the
# digest label carries for it.
DESCRIBED = {**STORE, "description": "what kb knows"}
REDESCRIBED = {**STORE, "description": "everything"}
UNREAD_ROWS = [
    row(
        "no-state-unread-field-proven-by-its-hash-is-the-manifest-s",
        Scenario(want=[want(KB, DESCRIBED)], live=[live(KB, STORE, applied=DESCRIBED)]),
        ("no-op", [], []),
    ),
    row(
        "no-state-unread-field-changed-in-the-manifest-is-shown-unread",
        Scenario(want=[want(KB, REDESCRIBED)], live=[live(KB, STORE, applied=DESCRIBED)]),
        ("update", [("description", "changed", UNREAD, "everything")], []),
    ),
    row(
        "recorded-unread-field-proven-by-its-hash-is-no-change",
        Scenario(
            want=[want(KB, DESCRIBED)], state=[recorded(KB, DESCRIBED)], live=[live(KB, STORE, applied=DESCRIBED)]
        ),
        ("no-op", [], []),
    ),
    row(
        "unread-field-a-rebuilt-record-lacks-is-no-drift",
        Scenario(want=[want(KB, DESCRIBED)], state=[recorded(KB, STORE)], live=[live(KB, STORE, applied=DESCRIBED)]),
        ("no-op", [], []),
    ),
    row(
        "unread-field-a-rebuilt-record-lacks-is-compared-by-its-hash",
        Scenario(want=[want(KB, REDESCRIBED)], state=[recorded(KB, STORE)], live=[live(KB, STORE, applied=DESCRIBED)]),
        ("update", [("description", "changed", UNREAD, "everything")], []),
    ),
]


@pytest.mark.parametrize(("scenario", "expected"), UNREAD_ROWS)
def test_unread_field(scenario: Scenario, expected: tuple[str, list[Any], list[Any]]) -> None:
    result = plan(scenario)
    found = change(result, KB)

    assert (str(found.action), fields(found.changes), drift(result)) == expected


def test_drift_is_planned_as_an_update_and_recorded() -> None:
    result = plan(Scenario(want=[want(KB, STORE)], **kb_applied(edited_to=OUTSIDE)))

    assert outcomes(result) == {KB: ("update", "drift")}
    assert fields(change(result, KB).changes) == [("name", "changed", "renamed outside", "kb")]
    assert drift(result) == [(KB, "kb-1", False, [("name", "changed", "kb", "renamed outside")])]


def test_deleted_drift_is_planned_as_a_create_and_recorded() -> None:
    result = plan(Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE)]))

    assert outcomes(result) == {KB: ("create", "remote_missing")}
    assert drift(result) == [(KB, "kb-1", True, [])]


def test_an_adopted_object_is_planned_against_its_own_id() -> None:
    result = plan(
        Scenario(want=[want(KB, STORE)], state=[recorded(KB, STORE, id="kb-old")], live=[live(KB, STORE, id="kb-new")])
    )

    assert change(result, KB).remote_id == "kb-new"


def test_a_recorded_id_of_an_object_of_another_kind_is_not_that_addresss_object() -> None:
    """A state edited by hand may give the assistant the store's id: the assistant is still the one stamped with its
    address, and neither object is taken for a leftover."""
    result = plan(
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC)],
            state=[recorded(KB, STORE), recorded(BOT, BOT_SPEC, id="kb-1")],
            live=[live(KB, STORE), live(BOT, BOT_SPEC)],
        )
    )

    assert outcomes(result) == {KB: ("no-op", None), BOT: ("no-op", None)}
    assert (change(result, KB).remote_id, change(result, BOT).remote_id) == ("kb-1", "bot-1")


def test_an_id_recorded_for_two_addresses_is_the_object_its_address_label_names() -> None:
    result = plan(
        Scenario(
            want=[want(KB, STORE), want(NEW_KB, STORE)],
            state=[recorded(KB, STORE), recorded(NEW_KB, STORE, id="kb-1")],
            live=[live(KB, STORE), live(NEW_KB, STORE)],
        )
    )

    assert outcomes(result) == {KB: ("no-op", None), NEW_KB: ("no-op", None)}
    assert (change(result, KB).remote_id, change(result, NEW_KB).remote_id) == ("kb-1", "knowledge-1")


def test_a_duplicate_is_deleted_by_its_own_id() -> None:
    result = plan(Scenario(want=[want(KB, STORE)], live=[live(KB, STORE, id="kb-1"), live(KB, STORE, id="kb-2")]))

    assert (change(result, KB).remote_id, change(result, "VectorStore/kb#kb-2").remote_id) == ("kb-1", "kb-2")


def test_a_moved_object_keeps_its_remote_id_and_names_its_old_address() -> None:
    result = plan(Scenario(want=[want(NEW_KB, STORE, moved_from=[KB])], live=[live(KB, STORE)]))

    assert (change(result, NEW_KB).remote_id, change(result, NEW_KB).moved_from) == ("kb-1", KB)
    assert order(result) == [NEW_KB]


def test_a_moved_object_is_updated_only_in_the_fields_that_changed() -> None:
    result = plan(Scenario(want=[want(NEW_KB, EDITED, moved_from=[KB])], **kb_applied()))

    assert fields(change(result, NEW_KB).changes) == [("name", "changed", "kb", "kb v2")]


def test_a_requested_replacement_renews_the_object() -> None:
    result = plan(Scenario(want=[want(KB, STORE)], replace=[KB], **kb_applied()))

    assert (change(result, KB).renews, change(result, KB).remote_id, summary(result)) == (
        True,
        "kb-1",
        {"add": 1, "change": 0, "destroy": 1, "forget": 0},
    )


def test_a_replace_names_the_field_that_forces_it() -> None:
    result = plan(Scenario(want=[want(KB, RECHUNKED)], **kb_applied()))

    assert change(result, KB).replace_paths == ["chunking"]


def test_a_dependent_of_a_replaced_resource_is_repointed_at_the_new_object() -> None:
    result = plan(Scenario(want=[want(KB, RECHUNKED), want(BOT, BOT_SPEC, depends_on=[KB])], **stack_applied()))

    assert fields(change(result, BOT).changes) == [
        ("vector_store", "changed", "VectorStore/kb (kb-1)", "VectorStore/kb (new)")
    ]


def test_an_update_carries_a_note_for_each_resource_it_reaches_unchanged() -> None:
    result = plan(
        Scenario(
            want=[
                want(KB, EDITED),
                want("Agent/b", HELPER_SPEC, depends_on=[KB]),
                want("Agent/a", {**HELPER_SPEC, "model": "m2"}, depends_on=[KB]),
            ],
            state=[recorded(KB, STORE), recorded("Agent/b", HELPER_SPEC), recorded("Agent/a", HELPER_SPEC)],
            live=[live(KB, STORE), live("Agent/b", HELPER_SPEC), live("Agent/a", HELPER_SPEC)],
        )
    )

    assert change(result, KB).notes == ("reaches Agent/a through vector_store", "reaches Agent/b through vector_store")
    assert change(result, "Agent/a").notes == ()
    assert summary(result) == {"add": 0, "change": 2, "destroy": 0, "forget": 0}


def test_a_replacement_carries_no_note_its_referrers_are_repointed() -> None:
    result = plan(
        Scenario(
            want=[want(KB, RECHUNKED), want(HELPER, HELPER_SPEC, depends_on=[KB])],
            state=[recorded(KB, STORE), recorded(HELPER, HELPER_SPEC)],
            live=[live(KB, STORE), live(HELPER, HELPER_SPEC)],
        )
    )

    assert change(result, KB).notes == ()
    assert change(result, HELPER).changed_paths == ["vector_store"]


def test_resource_changes_come_after_what_they_depend_on() -> None:
    result = plan(
        Scenario(
            want=[
                want("Agent/a", HELPER_SPEC, depends_on=[KB, "Agent/b"]),
                want("Agent/b", HELPER_SPEC, depends_on=[KB]),
                want(BOT, BOT_SPEC, depends_on=[KB]),
                want(KB, STORE_WITH_FAQ, depends_on=[FAQ]),
                want(FAQ, FAQ_FILE),
            ]
        )
    )

    assert order(result) == [FAQ, KB, BOT, "Agent/b", "Agent/a"]


def test_deletions_come_last_dependents_first() -> None:
    result = plan(
        Scenario(
            want=[want(HELPER, {"model": "m1"})],
            state=[recorded(FAQ, FAQ_FILE), recorded(KB, STORE), recorded(BOT, BOT_SPEC)],
            live=[live(FAQ, FAQ_FILE), live(KB, STORE), live(BOT, BOT_SPEC)],
        )
    )

    assert order(result) == [HELPER, BOT, KB, FAQ]
    assert {action for action, _ in outcomes(result).values()} == {"create", "delete"}


def test_summary_counts_a_replace_as_an_add_and_a_destroy() -> None:
    result = plan(
        Scenario(
            want=[
                want(KB, RECHUNKED),
                want(BOT, BOT_EDITED, depends_on=[KB]),
                want("Agent/new", {"model": "m1"}),
                want("Agent/same", {"model": "m1"}),
            ],
            state=[
                recorded(KB, STORE),
                recorded(BOT, BOT_SPEC),
                recorded(HELPER, HELPER_SPEC),
                recorded(FAQ, FAQ_FILE),
                recorded("Agent/same", {"model": "m1"}),
            ],
            live=[live(KB, STORE), live(BOT, BOT_SPEC), live(HELPER, HELPER_SPEC), live("Agent/same", {"model": "m1"})],
        )
    )

    assert summary(result) == {"add": 2, "change": 1, "destroy": 2, "forget": 1}


def test_drift_records_come_in_kind_order() -> None:
    result = plan(
        Scenario(
            want=[want(KB, STORE), want(BOT, BOT_SPEC, depends_on=[KB])],
            state=[recorded(HELPER, HELPER_SPEC), recorded(BOT, BOT_SPEC), recorded(KB, STORE)],
            live=[live(BOT, BOT_EDITED, applied=BOT_SPEC), live(KB, OUTSIDE, applied=STORE)],
        )
    )

    assert [(address, deleted) for address, _, deleted, _ in drift(result)] == [
        (KB, False),
        (BOT, False),
        (HELPER, True),
    ]
