"""Pulumi component conventions, checked on the source so new components keep them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "components"
ROOT = PACKAGE.parent


def _classes() -> list[tuple[Path, ast.ClassDef]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        found += [(path, node) for node in tree.body if isinstance(node, ast.ClassDef)]
    return found


def _base_names(cls: ast.ClassDef) -> set[str]:
    return {ast.unparse(base) for base in cls.bases}


OUTPUT_BASES = {"KubernetesCluster", "_WebServiceOutputs"}
"""Base classes that only declare components' outputs (no ``__init__`` of their own)."""
COMPONENTS = [
    (path, cls)
    for path, cls in _classes()
    if _base_names(cls) & {"pulumi.ComponentResource", *OUTPUT_BASES}
    and cls.name not in OUTPUT_BASES
]
ARGS = [(path, cls) for path, cls in _classes() if "TypedDict" in _base_names(cls)]


def test_the_components_exist() -> None:
    names = {cls.name for _, cls in COMPONENTS}
    assert {"WebService", "LocalCluster"} <= names


@pytest.mark.parametrize(("path", "cls"), COMPONENTS, ids=lambda v: getattr(v, "name", ""))
def test_register_outputs_is_the_last_statement(path: Path, cls: ast.ClassDef) -> None:
    init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    last = init.body[-1]
    assert isinstance(last, ast.Expr) and "register_outputs" in ast.unparse(last), (
        f"{path.name}: {cls.name}.__init__ must end with self.register_outputs(...)"
    )


@pytest.mark.parametrize(("path", "cls"), ARGS, ids=lambda v: getattr(v, "name", ""))
def test_every_args_field_has_a_docstring_and_no_union(path: Path, cls: ast.ClassDef) -> None:
    body = cls.body
    for i, node in enumerate(body):
        if isinstance(node, ast.AnnAssign):
            field = ast.unparse(node.target)
            following = body[i + 1] if i + 1 < len(body) else None
            assert isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant), (
                f"{cls.name}.{field} has no docstring"
            )
            annotation = ast.unparse(node.annotation)
            assert "Union" not in annotation and "|" not in annotation, (
                f"{cls.name}.{field} uses a union: {annotation}"
            )


def test_importing_the_package_does_no_cloud_work() -> None:
    """`from moorage import WebService` must not load the AWS or GCP SDKs."""
    code = (
        "import sys; from moorage import WebService; "
        "print(any(m.startswith(('pulumi_aws', 'pulumi_gcp')) for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"


def test_components_can_be_served_to_other_languages() -> None:
    """Pulumi's component analyzer (used by component_provider_host) accepts every component."""
    from moorage import EksCluster, GkeCluster, LocalCluster, WebService
    from pulumi.provider.experimental.analyzer import Analyzer

    result = Analyzer("moorage").analyze([WebService, LocalCluster, EksCluster, GkeCluster])
    definitions = result["component_definitions"]
    assert set(definitions) == {"WebService", "LocalCluster", "EksCluster", "GkeCluster"}
    web = definitions["WebService"]
    assert "image" in web.inputs and "url" in web.outputs
    assert all(d.outputs.get("kubeconfig") for n, d in definitions.items() if n != "WebService")
