"""The layout shows the architecture: each folder one part, imports going one way only.

docs/architecture.md draws the same picture; change both together.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "linxo_assoconnect"
LONGEST = 400  # lines, outside generated code

# Each part of the package, and the parts it may import.
MAY_IMPORT: dict[str, set[str]] = {
    "core": {"core"},
    "pages": {"core", "pages"},
    "flows": {"core", "pages", "flows"},
    "session": {"core", "pages", "flows", "session"},
    "api": {"core", "pages", "flows", "session", "api"},
    "capture": {"core", "capture"},
    "testing": {"core", "capture", "testing"},
    "cli": {"core", "pages", "flows", "session", "api", "capture", "testing", "cli"},
}
TOP_LEVEL = {"__init__": "api", "aio": "api", "_api": "api", "__main__": "cli"}
FOLDERS = {"_core": "core", "pages": "pages", "flows": "flows", "session": "session"}
FOLDERS |= {"cli": "cli", "capture": "capture", "testing": "testing"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def part_of(module: str) -> str:
    """The part of the package a module belongs to (``linxo_assoconnect.cli._many`` → cli)."""
    names = module.split(".")[1:] or ["__init__"]
    if names[0] in FOLDERS:
        return FOLDERS[names[0]]
    return TOP_LEVEL[names[0]]


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module of the package that ``path`` imports (at any depth, typing-only too)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = (
                importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                if node.level
                else node.module or ""
            )
            if base.split(".")[0] != "linxo_assoconnect":
                continue
            for alias in node.names:  # « from . import _state »: a module imported by name
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if is_module(candidate) else base))
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name) for a in node.names if a.name.startswith("linxo_assoconnect")
            ]
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_one_part() -> None:
    assert {part_of(module_name(p)) for p in SOURCES} == set(MAY_IMPORT)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_one_way(path: Path) -> None:
    part = part_of(module_name(path))
    wrong = [
        f"line {line}: {target} ({part_of(target)})"
        for line, target in imports_of(path)
        if part_of(target) not in MAY_IMPORT[part]
    ]
    assert wrong == [], f"{part} may import only {sorted(MAY_IMPORT[part])}"


def test_no_module_is_over_400_lines_outside_generated_code() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in SOURCES
        if "_sync" not in p.parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert long == {}


def test_the_rule_catches_a_wrong_import(tmp_path: Path) -> None:
    assert part_of("linxo_assoconnect._core.models") == "core"
    assert part_of("linxo_assoconnect.cli._many") == "cli"
    assert "cli" not in MAY_IMPORT["core"] and "testing" not in MAY_IMPORT["session"]
    errors = PACKAGE / "_core" / "errors.py"
    assert all(part_of(t) == "core" for _, t in imports_of(errors))
