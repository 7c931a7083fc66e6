"""`assistplan test`: the conversations of the project's ConversationTest manifests, held with the deployed targets.

`model` holds the results; `expectations` checks one reply; `openai_targets` and `flowise_target` talk to an Agent
(sessions), an Assistant (threads and runs) and a Flowise chatflow (the prediction API); `runner` runs the tests
with the ids of the state; `preview` applies the project to a throwaway embedded sandbox first (`--sandbox`);
`report`, `junit` and `markdown` render the results.
"""
