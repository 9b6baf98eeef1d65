"""The apps stand in layers and import only downwards (STYLE.md, "Layers point one way"): ``core`` (shared
utilities) and ``team`` (who is who, and the generic access rules) at the bottom, the feature apps above them in
the order they build on each other, the site shell (``statprogram``) and the ``demo`` app on top. A lower app that
must tell a higher one something sends a signal or offers a registry.

Every import counts, function-local ones included, read from the source with ``ast``: a new app must be given its
layer here before it can import or be imported.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Bottom first. An app may import the apps of the layers below its own, and nothing else of the project's.
LAYERS: list[set[str]] = [
    {"core"},
    {"team"},
    {"inventory"},
    {"quality"},
    {"goals"},
    {"sessions"},
    {"budget"},
    {"statprogram", "demo"},
]
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}
NOT_APPS = {"tests", "benchmarks", "scripts", "node_modules", "var", "static", "templates"}


def project_packages() -> set[str]:
    return {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in NOT_APPS}


def imports_between_apps() -> dict[tuple[str, str], set[str]]:
    """(importing app, imported app) → the files where it happens; migrations left out (Django writes them)."""
    packages = project_packages()
    arrows: dict[tuple[str, str], set[str]] = {}
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        app = relative.parts[0]
        if app not in packages or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                target = module.split(".")[0]
                if target in packages and target != app:
                    arrows.setdefault((app, target), set()).add(str(relative))
    return arrows


#: Template folders that are not named after an app, and the layer they belong to.
TEMPLATE_FOLDERS = {"components": "core", "public": "inventory", "site": "statprogram", "registration": "statprogram"}
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def tag_libraries() -> dict[str, str]:
    """Each of the project's template tag libraries and the app that provides it."""
    return {
        path.stem: path.relative_to(ROOT).parts[0]
        for path in ROOT.glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


def test_every_app_has_a_layer():
    assert project_packages() - LAYER_OF.keys() == set(), "give each new app its place in LAYERS"


def test_imports_point_down_only():
    wrong = {
        f"{app} (layer {LAYER_OF[app]}) imports {target} (layer {LAYER_OF[target]}) in {sorted(files)}"
        for (app, target), files in imports_between_apps().items()
        if LAYER_OF[target] >= LAYER_OF[app]
    }
    assert wrong == set()


def test_templates_load_tags_of_their_own_layer_or_below():
    """An app's templates (``templates/<app>/``) load no tag library of an app above it, so that a lower app's pages
    never need a higher app installed; the apps above add to them through registries."""
    libraries = tag_libraries()
    wrong = set()
    for path in (ROOT / "templates").glob("*/**/*.html"):
        folder = path.relative_to(ROOT / "templates").parts[0]
        owner = TEMPLATE_FOLDERS.get(folder, folder)
        if owner not in LAYER_OF:
            continue
        for match in LOAD.findall(path.read_text(encoding="utf-8")):
            for library in match.split():
                provider = libraries.get(library)
                if provider is not None and LAYER_OF[provider] > LAYER_OF[owner]:
                    wrong.add(f"{path.relative_to(ROOT)} loads {library} ({provider})")
    assert wrong == set()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from quality.models import QualityRun\n", {("inventory", "quality")}),
        ("def f():\n    from goals import services\n", {("inventory", "goals")}),
        ("import team.models\n", {("inventory", "team")}),
        ("from .models import Dataset\n", set()),
    ],
)
def test_the_reader_sees_every_kind_of_import(tmp_path, monkeypatch, source, expected):
    """The check itself: module-level, function-local and plain imports count; relative ones stay in the app."""
    for app in ("inventory", "quality", "goals", "team"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "inventory" / "views.py").write_text(source)
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert set(imports_between_apps()) == expected
