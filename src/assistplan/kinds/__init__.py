"""Kinds: one module per remote object type, and the registry that maps a kind name to its implementation."""

from __future__ import annotations

from assistplan.kinds.agents import AgentKind
from assistplan.kinds.assistants import AssistantKind
from assistplan.kinds.base import (
    Applied,
    ApplyContext,
    Inventory,
    Kind,
    LiveObject,
    PartialApplyError,
    Spec,
    digest,
)
from assistplan.kinds.files import FileKind
from assistplan.kinds.flowise_assistants import FlowiseAssistantKind
from assistplan.kinds.flowise_credentials import FlowiseCredentialKind
from assistplan.kinds.flowise_tools import FlowiseToolKind
from assistplan.kinds.flowise_variables import FlowiseVariableKind
from assistplan.kinds.vector_stores import VectorStoreKind

OPENAI_KINDS: tuple[Kind, ...] = (FileKind(), VectorStoreKind(), AssistantKind(), AgentKind())
FLOWISE_KINDS: tuple[Kind, ...] = (
    FlowiseToolKind(),
    FlowiseVariableKind(),
    FlowiseCredentialKind(),
    FlowiseAssistantKind(),
)
REGISTRY: dict[str, Kind] = {k.kind: k for k in (*OPENAI_KINDS, *FLOWISE_KINDS)}

__all__ = [
    "FLOWISE_KINDS",
    "OPENAI_KINDS",
    "REGISTRY",
    "Applied",
    "ApplyContext",
    "Inventory",
    "Kind",
    "LiveObject",
    "PartialApplyError",
    "Spec",
    "digest",
]
