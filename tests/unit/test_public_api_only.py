"""The package uses only public Pulumi APIs: no private module, no private name.

Private SDK internals (``pulumi.runtime.sync_await._sync_await``, the config store in
``pulumi.runtime.config``...) change without notice, and the synchronous ones drop
secret markings. ``Output.future()`` is flagged too: it resolves a value outside
``apply`` and loses its secret marking.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "components"
PUBLIC_RUNTIME = {
    # What ``pulumi.runtime`` documents at its top level (mocks, test helpers, flags).
    "Mocks",
    "MockResourceArgs",
    "MockCallArgs",
    "set_mocks",
    "test",
    "is_dry_run",
}


def _pulumi(module: str) -> bool:
    return module == "pulumi" or module.startswith(("pulumi.", "pulumi_"))


def _private_parts(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def violations(source: str) -> list[str]:
    """Every use of a private Pulumi module or name in ``source``, one line each."""
    found: list[str] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _pulumi(alias.name) and (
                    _private_parts(alias.name) or alias.name.startswith("pulumi.runtime.")
                ):
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if not _pulumi(module):
                continue
            names = [a.name for a in node.names]
            if _private_parts(module) or module.startswith("pulumi.runtime."):
                found.append(f"line {node.lineno}: from {module} import {', '.join(names)}")
            elif module == "pulumi.runtime" and set(names) - PUBLIC_RUNTIME:
                found.append(f"line {node.lineno}: from pulumi.runtime import {names}")
            elif any(name.startswith("_") for name in names):
                found.append(f"line {node.lineno}: from {module} import {names}")
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted is None or not _pulumi(dotted):
                continue
            parts = dotted.split(".")
            if _private_parts(dotted) or (
                parts[:2] == ["pulumi", "runtime"]
                and len(parts) > 2
                and parts[2] not in PUBLIC_RUNTIME
            ):
                found.append(f"line {node.lineno}: {dotted}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "future"
        ):
            found.append(f"line {node.lineno}: .future() drops the secret marking")
    return sorted(set(found))


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_uses_only_public_pulumi_apis(path: Path) -> None:
    assert violations(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "from pulumi.runtime.sync_await import _sync_await",
        "from pulumi.runtime.config import CONFIG",
        "import pulumi.runtime.rpc",
        "from pulumi.runtime import settings",
        "from pulumi import _utils",
        "import pulumi\nx = pulumi.runtime.sync_await._sync_await(y)",
        "import pulumi\nx = pulumi.runtime.config.CONFIG",
        "def f(o):\n    return o.future()",
        "def f():\n    from pulumi.runtime.sync_await import _sync_await",
    ],
)
def test_the_check_catches_private_uses(source: str) -> None:
    assert violations(source)


def test_the_check_lets_public_apis_through() -> None:
    source = (
        "import pulumi\nimport pulumi.dynamic\nimport pulumi_kubernetes as k8s\n"
        "from pulumi.runtime import Mocks\n"
        "x = pulumi.Output.secret(1)\ny = pulumi.runtime.is_dry_run()\n"
    )
    assert violations(source) == []
