"""The core (parser/, heuristics/) never imports Textual, and packaging lists every package."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("parser", "heuristics")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_never_imports_textual() -> None:
    offenders = []
    for folder in CORE:
        for path in (ROOT / folder).rglob("*.py"):
            for name in _imports(path):
                if name == "textual" or name.startswith(("textual.", "triagebench.tui")):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_every_python_folder_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tool = config["tool"]["setuptools"]
    packages = set(tool["packages"])
    dirs = tool["package-dir"]
    for package, folder in dirs.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            name = ".".join([package, *rel.parts]) if rel.parts else package
            assert name in packages, f"{init.parent} is not listed in pyproject packages"
