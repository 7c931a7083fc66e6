"""Applying a plan: the applier and its progress hooks."""

from assistplan.apply.applier import apply_plan
from assistplan.apply.hooks import Hooks, SilentHooks
from assistplan.apply.results import ActionResult, ApplyResult

__all__ = ["ActionResult", "ApplyResult", "Hooks", "SilentHooks", "apply_plan"]
