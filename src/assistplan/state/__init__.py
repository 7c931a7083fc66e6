"""The state layer: the state file model (`model`), its store (`store`: the state file, its backup and the journal
of recorded changes), the journal's line format (`journal`), atomic file replacement (`atomic`) and the lock (`lock`).
Knows nothing of providers or the CLI.
"""

from assistplan.state.lock import StateLock
from assistplan.state.model import STATE_VERSION, ResourceState, StateFile
from assistplan.state.store import StateStore

__all__ = ["STATE_VERSION", "ResourceState", "StateFile", "StateLock", "StateStore"]
