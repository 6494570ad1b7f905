"""Bad input: one clear line each, exit status 1, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from moorage.__main__ import main
from moorage.convert import ConvertError, ConvertOptions, convert_texts

from .helpers import FIXTURES

BAD = {
    "not-yaml.yaml": "is not valid YAML",
    "bomb.yaml": "is a YAML bomb",
    "no-kind.yaml": "has no kind",
    "duplicate.yaml": "is defined twice",
    "unknown-apiversion.yaml": "has an unknown apiVersion",
}


@pytest.mark.parametrize(("name", "message"), sorted(BAD.items()))
def test_bad_input_is_one_line_and_writes_nothing(
    name: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "stacks" / "Pulumi.x.yaml"
    status = main(["convert", str(FIXTURES / "bad" / name), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not out.exists()


def test_a_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["convert", str(tmp_path / "nowhere.yaml")])
    assert status == 1
    assert capsys.readouterr().err.strip() == f"[convert] {tmp_path / 'nowhere.yaml'}: no such file"


def test_a_bad_second_file_leaves_the_output_of_a_good_first_one_unwritten(
    tmp_path: Path,
) -> None:
    out = tmp_path / "Pulumi.x.yaml"
    good = str(FIXTURES / "small-shop.yaml")
    assert main(["convert", good, str(FIXTURES / "bad" / "no-kind.yaml"), "-o", str(out)]) == 1
    assert not out.exists()


def test_a_bomb_is_refused_before_it_is_expanded() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(ConvertError, match="YAML bomb"):
        convert_texts([("bomb.yaml", "\n".join(levels))], ConvertOptions())


def test_a_few_aliases_are_fine() -> None:
    text = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: &labels {app: api}}
spec:
  selector: {matchLabels: *labels}
  template:
    metadata: {labels: *labels}
    spec:
      containers: [{name: api, image: "ghcr.io/acme/api:1.0.0"}]
"""
    conversion = convert_texts([("api.yaml", text)], ConvertOptions())
    assert conversion.stack_config["moorage:services"]["api"]["selector_labels"] == {"app": "api"}


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ConvertError, match="is not a Kubernetes object"):
        convert_texts([("list.yaml", "- a\n- b\n")], ConvertOptions())
