"""ConversationTest: a conversation `assistplan test` holds with a deployed target. A manifest-only kind: validated
and resolved with the manifests, never planned or applied (see `assistplan.testing`)."""

from __future__ import annotations

from assistplan import catalog
from assistplan.manifest.conversation_test_models import ConversationTestSpec

catalog.register(
    catalog.KindInfo(
        "ConversationTest",
        ConversationTestSpec,
        provider=None,
        depends_on=("Agent", "Assistant", "FlowiseChatflow", "FlowiseAssistant", "EnvironmentTemplate", "Vault"),
    )
)
