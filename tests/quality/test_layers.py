"""quality sits below goals: it tells goals what happened through quality.signals and never imports it (not even
inside a function)."""

import ast
from pathlib import Path

import quality


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_quality_never_imports_goals():
    root = Path(quality.__file__).parent
    offenders = {
        str(path.relative_to(root)): sorted(name for name in _imported_modules(path) if name.split(".")[0] == "goals")
        for path in root.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
