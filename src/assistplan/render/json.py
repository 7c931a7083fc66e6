"""The JSON format: the plan view serialized stably (sorted keys, 2-space indent, trailing newline)."""

from __future__ import annotations

import json
from typing import Any


def render_json(view: dict[str, Any]) -> str:
    return json.dumps(view, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
