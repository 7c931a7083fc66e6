"""Provider clients: how assistplan reaches each remote API (OpenAI, Flowise)."""
