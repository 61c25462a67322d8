"""The import direction the design fixes: bot → handlers → (knowledge, storage)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "handlers": ("telegram", "wechatpy", "starlette", "bot.channels", "bot.app", "bot.cli", "bot.web"),
    "knowledge": ("bot", "handlers", "storage", "telegram", "wechatpy", "sqlmodel", "sqlalchemy"),
    "storage": ("bot", "handlers", "knowledge", "telegram", "wechatpy"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_downwards(package: str) -> None:
    offending = []
    for path in (ROOT / package).rglob("*.py"):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                offending.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offending


def test_every_module_says_what_it_is_for() -> None:
    missing = [str(p.relative_to(ROOT)) for pkg in ("bot", "handlers", "knowledge", "storage")
               for p in (ROOT / pkg).rglob("*.py")
               if "versions" not in p.parts and ast.get_docstring(ast.parse(p.read_text("utf-8"))) is None
               and p.read_text("utf-8").strip()]
    assert not missing
