"""The inventory sits below quality, goals and the apps to come: it never imports them (not even inside a function)
and its templates load none of their template tags. They add to it through ``inventory.extensions``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ABOVE = {"quality", "goals", "sessions", "budget", "demo", "statprogram"}


def _imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in sorted((ROOT / "inventory").rglob("*.py")) if "migrations" not in p.parts],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_inventory_imports_no_app_above_it(path):
    assert not _imported_apps(path) & ABOVE


@pytest.mark.parametrize("path", sorted((ROOT / "templates" / "inventory").glob("*.html")), ids=lambda p: p.name)
def test_inventory_templates_load_no_tags_of_the_apps_above(path):
    loaded = {name for match in re.findall(r"{%\s*load ([^%]+)%}", path.read_text()) for name in match.split()}
    assert not loaded & {"quality_tags", "goal_values"}
