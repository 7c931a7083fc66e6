"""What an Assistant served by an OPENAI FlowiseAssistant must look like for Flowise and assistplan to agree on it.

Flowise writes to the OpenAI assistant itself whenever its assistant is saved: it sends name, description,
instructions, model, tools, temperature and top_p. It writes an empty string over a missing description or
instructions, puts function tools first, and sends `file_search` bare (resetting its options). An Assistant those
writes would change is refused at validate time, so that after an apply neither side shows a diff.
"""

from __future__ import annotations

from assistplan.manifest.openai_models import AssistantSpec, FunctionRef


def linked_assistant_problems(spec: AssistantSpec) -> list[str]:
    problems = []
    for field in ("description", "instructions"):
        if not getattr(spec, field):
            problems.append(f"needs a {field}: Flowise writes an empty one over a missing one")
    kinds = ["function" if isinstance(tool, FunctionRef) else "builtin" for tool in spec.tools]
    if "builtin" in kinds and "function" in kinds[kinds.index("builtin") :]:
        problems.append("must list its function tools first: Flowise puts them before code_interpreter and file_search")
    search = spec.file_search
    if search is not None and (search.max_num_results is not None or search.ranking_options is not None):
        problems.append("cannot set file_search options: Flowise sends file_search without them, resetting them")
    return problems
