"""The layers import one way: bot -> handlers -> (guidance, storage).

Handlers never import a platform SDK; guidance imports nothing of the rest. A test,
not a convention, so a slip shows up in `make test`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_SDKS = {"slack_bolt", "slack_sdk", "discord", "aiohttp"}
FORBIDDEN: dict[str, set[str]] = {
    "guidance": {"bot", "handlers", "storage", *PLATFORM_SDKS},
    "storage": {"bot", "handlers", *PLATFORM_SDKS},
    "handlers": {"bot", *PLATFORM_SDKS},
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_one_way(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {file: bad for file, bad in offenders.items() if bad} == {}
