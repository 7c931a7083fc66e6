"""Fixtures shared by every test folder: a running sandbox (`sandbox`, `sandbox_server`) and `openai_client`."""

pytest_plugins = ["assistplan.sandbox.testing"]
