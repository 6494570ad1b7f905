"""The field reference in docs/reference/ is generated from the code and must be current."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_reference", ROOT / "scripts/gen_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_reference"] = module
    spec.loader.exec_module(module)
    return module


def test_the_generated_reference_is_current(capsys) -> None:
    """Fails when an Args field, docstring or default changed without `make docs`."""
    status = _generator().main(["--check"])
    assert status == 0, capsys.readouterr().err


def test_the_reference_lists_every_args_field_and_output() -> None:
    from moorage import EksCluster, GkeCluster, LocalCluster, WebService
    from pulumi.provider.experimental.analyzer import Analyzer

    result = Analyzer("moorage").analyze([WebService, LocalCluster, EksCluster, GkeCluster])
    text = "".join(p.read_text() for p in (ROOT / "docs/reference").glob("*.md"))
    for definition in result["component_definitions"].values():
        for field in [*definition.inputs_mapping.values(), *definition.outputs_mapping.values()]:
            assert f"| `{field}` |" in text, f"{definition.name}.{field}"
    for typedef in result["type_definitions"].values():
        assert f"### {typedef.name}" in text, typedef.name
        for field in typedef.properties_mapping.values():
            assert f"| `{field}` |" in text, f"{typedef.name}.{field}"


def test_every_output_in_the_reference_says_what_it_means() -> None:
    """Outputs declared on a base class (the clusters' ``kubeconfig``, WebService's) carry
    the base's documentation, as the served schema does."""
    blank = []
    for page in (ROOT / "docs/reference").glob("*.md"):
        in_outputs = False
        for line in page.read_text().splitlines():
            if line.startswith("### "):
                in_outputs = line == "### Outputs"
            elif in_outputs and line.startswith("| `"):
                cells = [cell.strip() for cell in line.strip("|").split("|")]
                if not cells[-1]:
                    blank.append(f"{page.name}: {cells[0]}")
    assert not blank, blank
