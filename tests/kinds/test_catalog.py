"""The catalog finds a kind by the name of its module, imports only the modules a question needs, and orders kinds
by depth of dependencies, then by name. Module imports are checked in a fresh interpreter."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

from assistplan import catalog, kinds
from assistplan.kinds.base import registered


def fresh(code: str) -> object:
    """What `code` prints as JSON, run in a new interpreter (nothing imported yet)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_every_kind_lives_in_the_module_named_for_it() -> None:
    modules = {module.name for module in pkgutil.iter_modules(kinds.__path__)}
    assert {catalog.module_name(name) for name in catalog.names()} <= modules


def test_each_kind_is_found_from_a_fresh_start_by_its_module_name() -> None:
    names = list(catalog.names())
    found = fresh(
        "import json\n"
        "from assistplan import catalog\n"
        f"print(json.dumps([catalog.get(name).name for name in {names!r}]))\n"
    )
    assert found == names


def test_a_kind_name_spells_its_module_in_snake_case_plural() -> None:
    assert catalog.module_name("VectorStore") == "vector_stores"
    assert catalog.module_name("Agent") == "agents"
    assert catalog.module_name("FlowiseChatflow") == "flowise_chatflows"


def test_an_unknown_kind_is_none_and_ranks_last() -> None:
    assert catalog.get("Nothing") is None
    assert catalog.get("Base") is None
    assert catalog.rank("Nothing") > max(catalog.rank(name) for name in catalog.names())


def test_every_kind_comes_after_the_kinds_it_depends_on() -> None:
    order = list(catalog.names())
    for name, info in catalog.kinds().items():
        assert all(order.index(dep) < order.index(name) for dep in info.depends_on)


def test_the_order_is_by_rank() -> None:
    assert list(catalog.names()) == sorted(catalog.names(), key=catalog.rank)


def test_asking_about_one_kind_imports_it_and_its_dependencies_only() -> None:
    loaded = fresh(
        "import json, sys\n"
        "from assistplan import catalog\n"
        "catalog.rank('Agent')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('assistplan.kinds.'))))\n"
    )
    assert isinstance(loaded, list)
    assert "assistplan.kinds.agents" in loaded
    assert "assistplan.kinds.functions" in loaded
    assert not [module for module in loaded if "flowise" in module]


def test_asking_about_every_kind_imports_every_kind_module() -> None:
    counts = fresh(
        "import json\n"
        "from assistplan import catalog\n"
        "from assistplan.kinds.base import registered\n"
        "print(json.dumps([len(catalog.names()), len(list(registered()))]))\n"
    )
    assert counts == [len(catalog.names()), len(registered())]


@pytest.mark.parametrize("name", ["agent", "vector_store", "Blob", "FlowiseExport", "Base"])
def test_a_name_whose_module_registers_another_kind_or_none_is_no_kind(name: str) -> None:
    assert catalog.get(name) is None
    assert catalog.rank(name) == catalog.rank("NoSuchKind")


def test_a_metadata_rule_naming_kinds_imports_those_kinds_modules_only() -> None:
    loaded = fresh(
        "import json, sys\n"
        "from assistplan.manifest.policy_models import MetadataRule\n"
        "MetadataRule.model_validate({'keys': ['team'], 'kinds': ['Agent', 'VectorStore']})\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('assistplan.kinds.'))))\n"
    )
    assert isinstance(loaded, list)
    assert {"assistplan.kinds.agents", "assistplan.kinds.vector_stores"} <= set(loaded)
    assert not [module for module in loaded if "flowise" in module or "skills" in module]
