"""What an Assistant served by an OPENAI FlowiseAssistant must not declare, because Flowise would undo it.

Flowise writes to the OpenAI assistant itself whenever its assistant is saved or chatted with. What it only rewrites
compares equal after normalization (see kinds/assistants.py): the tool order, an empty description or instructions
written over a missing one, and function tools rebuilt from custom-tool rows. What it loses is refused here, since no
apply can make it stick: Flowise sends `file_search` bare on every save, resetting its options.
"""

from __future__ import annotations

from assistplan.manifest.openai_models import AssistantSpec


def linked_assistant_problems(spec: AssistantSpec) -> list[str]:
    search = spec.file_search
    if search is not None and (search.max_num_results is not None or search.ranking_options is not None):
        return ["cannot set file_search options: Flowise sends file_search without them on every save, resetting them"]
    return []
