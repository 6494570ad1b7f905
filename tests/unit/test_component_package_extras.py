"""The component package serves only the components whose extras are installed."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest
from moorage._component_package import PACKAGE_NAME, MoorageProvider, served_components

CORE = ["WebService", "Application", "LocalCluster", "HelmChart"]
EVERY = ["WebService", "Application", "LocalCluster", "EksCluster", "GkeCluster", "HelmChart"]
CLOUD_SDKS = ("pulumi_aws", "pulumi_gcp")
CLOUD_MODULES = ("moorage.clusters.eks", "moorage.clusters.gke")


@pytest.fixture
def core_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As with the core distribution: the cloud SDKs cannot be imported."""
    before = set(sys.modules)
    for module in list(sys.modules):
        if module.partition(".")[0] in CLOUD_SDKS or module.startswith(CLOUD_MODULES):
            monkeypatch.delitem(sys.modules, module)
    for sdk in CLOUD_SDKS:
        monkeypatch.setitem(sys.modules, sdk, None)
    yield
    for module in set(sys.modules) - before:
        if module.startswith(CLOUD_MODULES):
            del sys.modules[module]


def resource_names(provider: MoorageProvider) -> list[str]:
    assert provider.schema is not None
    return [token.rsplit(":", 1)[1] for token in json.loads(provider.schema)["resources"]]


def test_without_the_cloud_extras_only_the_core_components_are_served(core_only: None) -> None:
    assert [component.__name__ for component in served_components()] == CORE
    provider = MoorageProvider()
    assert sorted(resource_names(provider)) == sorted(CORE)
    assert provider.schema is not None
    assert f"{PACKAGE_NAME}:index:EksCluster" not in provider.schema


def test_with_the_cloud_extras_every_component_is_served() -> None:
    assert [component.__name__ for component in served_components()] == EVERY
    assert sorted(resource_names(MoorageProvider())) == sorted(EVERY)
