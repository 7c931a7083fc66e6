"""The state layer: the state file model, its store and its lock. Knows nothing of providers or the CLI."""

from assistplan.state.lock import StateLock
from assistplan.state.model import STATE_VERSION, ResourceState, StateFile
from assistplan.state.store import StateStore

__all__ = ["STATE_VERSION", "ResourceState", "StateFile", "StateLock", "StateStore"]
