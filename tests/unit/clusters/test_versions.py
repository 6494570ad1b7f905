"""The Kubernetes versions cloud clusters offer (_versions.py) and the rule that checks them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from moorage import _rules as rule
from moorage._errors import ValidationError
from moorage._rules import component_label
from moorage.clusters import DEFAULT_KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS

ROOT = Path(__file__).resolve().parents[3]


def stack_cluster(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config


LABEL = component_label("staging", "EksCluster")


def raises(field: str, rule_part: str) -> Any:
    """pytest.raises for a ValidationError on ``field`` whose rule mentions ``rule_part``."""
    return pytest.raises(
        ValidationError,
        match=rf"^EksCluster \"staging\": {re.escape(field)} \(.*{re.escape(rule_part)}",
    )


@pytest.mark.parametrize("version", SUPPORTED_KUBERNETES_VERSIONS)
def test_supported_versions_pass(version):
    assert (
        rule.kubernetes_version(LABEL, "kubernetes_version", version, SUPPORTED_KUBERNETES_VERSIONS)
        == version
    )


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.32", "is not supported; use one of 1.33, 1.34, 1.35, 1.36"),
        ("1.37", "is not supported"),
        ("1.34.2", 'minor version like "1.34"'),
        ("v1.34", "minor version"),
        ("latest", "minor version"),
        ("1.3", "is not supported"),
    ],
)
def test_unsupported_versions_fail(version, expected):
    with raises("kubernetes_version", expected):
        rule.kubernetes_version(LABEL, "kubernetes_version", version, SUPPORTED_KUBERNETES_VERSIONS)


def test_supported_versions_are_1_33_to_1_36():
    assert SUPPORTED_KUBERNETES_VERSIONS == ("1.33", "1.34", "1.35", "1.36")


def test_default_version_is_supported():
    assert DEFAULT_KUBERNETES_VERSION == "1.36"
    assert DEFAULT_KUBERNETES_VERSION in SUPPORTED_KUBERNETES_VERSIONS


def local_kubernetes_minor() -> str:
    """The minor of KUBERNETES_VERSION in tools/versions.env (the local control plane)."""
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        if line.startswith("KUBERNETES_VERSION="):
            major, minor, *_ = line.partition("=")[2].strip().split(".")
            return f"{major}.{minor}"
    raise AssertionError("tools/versions.env has no KUBERNETES_VERSION")


def test_cloud_default_version_is_the_local_clusters_minor():
    """One Kubernetes minor everywhere: EKS and GKE default to the minor the local control
    plane runs. Bumping KUBERNETES_VERSION fails this test until the cloud default (and
    SUPPORTED_KUBERNETES_VERSIONS) follow, once both clouds offer the new minor."""
    assert local_kubernetes_minor() == DEFAULT_KUBERNETES_VERSION
    assert max(SUPPORTED_KUBERNETES_VERSIONS, key=lambda v: int(v.split(".")[1])) == (
        DEFAULT_KUBERNETES_VERSION
    )


@pytest.mark.parametrize("stack", ["eks-staging", "gke-prod"])
def test_cloud_stacks_pin_the_default_version(stack):
    assert stack_cluster(stack)["moorage:cluster"]["kubernetes_version"] == (
        DEFAULT_KUBERNETES_VERSION
    )
