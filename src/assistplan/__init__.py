"""assistplan: plan and apply for AI assistants, agents, vector stores and Flowise objects."""

__version__ = "0.1.0"
