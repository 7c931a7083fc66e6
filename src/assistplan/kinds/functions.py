"""Function: a JSON-Schema function definition with no remote object of its own. The tools of agents, assistants and
Flowise tools embed it: the manifest layer resolves the references, and a resource's kind finds the Functions it
refers to, as they are embedded, in `manifest.project.Resource.functions`."""

from __future__ import annotations

from assistplan import catalog
from assistplan.manifest.models import FunctionSpec

catalog.register(catalog.KindInfo("Function", FunctionSpec, provider=None))
