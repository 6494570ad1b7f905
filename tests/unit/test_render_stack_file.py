"""scripts/render reads stack files from pull requests: hostile ones fail in one line."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

ALIAS_BOMB = "\n".join(
    ["config:", '  a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    + [
        f"  a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 30)
    ]
    + ["  moorage:service: *a29"]
)


def render_script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("render_script", str(ROOT / "scripts" / "render"))
    spec = importlib.util.spec_from_loader("render_script", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (ALIAS_BOMB, "YAML alias"),
        ("config:\n  moorage:cluster: {nodes: " + "9" * 5000 + "}\n", "4300 digits"),
        ("config:\n  moorage:cluster: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more"),
        ("config: [1, 2\n", "not valid YAML"),
    ],
    ids=["alias bomb", "5000 digits", "nested 100000 deep", "broken"],
)
def test_hostile_stack_files_are_refused_in_one_line(text: str, words: str) -> None:
    render = render_script()
    with pytest.raises(render.StackFileError) as error:
        render.stack_config(text)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_make_render_refuses_an_alias_bomb_without_a_traceback(tmp_path: Path) -> None:
    # A stack file outside stacks/ (as a pull request's would be checked): nothing is
    # written into the checkout, where other tests list the stacks.
    path = tmp_path / "Pulumi.bomb.yaml"
    path.write_text(ALIAS_BOMB)
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render"), str(path), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "YAML alias" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_stack_file_elsewhere_is_rendered_under_its_own_name() -> None:
    script = render_script()
    assert script.stack_file("local") == ("local", ROOT / "stacks" / "Pulumi.local.yaml")
    sockshop = ROOT / "examples" / "sockshop" / "Pulumi.sockshop.yaml"
    assert script.stack_file(str(sockshop)) == ("sockshop", sockshop)
    # The shipped Sock Shop passes the safe reader (no YAML alias) with its 14 services.
    config = script.stack_config(sockshop.read_text())
    assert len(config["moorage:services"]) == 14
