"""Function: a JSON-Schema function definition with no remote object of its own. The tools of agents, assistants and
Flowise tools embed it (the manifest layer resolves the references, see `manifest.project.Project.functions`)."""

from __future__ import annotations

from assistplan import catalog
from assistplan.manifest.models import FunctionSpec

catalog.register(catalog.KindInfo("Function", FunctionSpec, provider=None))
