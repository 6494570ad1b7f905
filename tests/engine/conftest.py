"""Fixtures for engine tests: pinned tools, an isolated engine env, a shared kwok cluster."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config
from moorage.clusters import LocalClusterProvider
from moorage.clusters._local_provider import gateway_api_crd_dir

from .ci_skips import pytest_runtest_makereport  # noqa: F401  (hook: CI=true fails skips)
from .harness import engine_env, give_children_default_sigint, tools_bin

pytestmark = pytest.mark.engine


@pytest.fixture(scope="session", autouse=True)
def _children_take_sigint() -> None:
    """The engine's plugins must not inherit an ignored SIGINT (see the helper)."""
    give_children_default_sigint()


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    return tools_bin()


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine")


@pytest.fixture(scope="session")
def env(bin_dir: Path, work_dir: Path) -> Iterator[dict[str, str]]:
    """The engine environment; also applied to this process so the kwok CLI agrees."""
    state = work_dir / "state"
    kwok = work_dir / "kwok"
    state.mkdir()
    kwok.mkdir()
    values = engine_env(bin_dir, state, kwok)
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    yield values
    for key, old in saved.items():
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


@pytest.fixture(scope="session")
def kwok_cluster(env: dict[str, str]) -> Iterator[str]:
    """A kwok cluster shared by the WebService engine tests; yields its kubeconfig.

    It is made by the same provider code LocalCluster uses under the engine, which also
    applies the pinned Gateway API CRDs that bootstrap-tools put beside the tools.
    """
    provider = LocalClusterProvider()
    crds = gateway_api_crd_dir(env["MOORAGE_TOOLS_BIN"])
    assert crds, "no Gateway API CRDs beside the tools: run scripts/bootstrap-tools"
    props = {
        "cluster_name": f"shared-{uuid.uuid4().hex[:6]}",
        "runtime": "kwok",
        "nodes": 3,
        "zones": ["zone-a", "zone-b", "zone-c"],
        "tools_bin_dir": env["MOORAGE_TOOLS_BIN"],
        "gateway_api_crds": crds,
    }
    created = provider.create(props)
    assert created.outs is not None
    try:
        _wait_for_default_service_account(created.outs["kubeconfig"])
        yield created.outs["kubeconfig"]
    finally:
        provider.delete(created.id, props)


@pytest.fixture(scope="session")
def gateway_api(kwok_cluster: str) -> str:
    """The shared kwok cluster, which has the pinned Gateway API CRDs (as every local
    cluster does); its kubeconfig. Named for the tests that need them."""
    return kwok_cluster


def _wait_for_default_service_account(kubeconfig: str, timeout: float = 120) -> None:
    """Pods in ``default`` are refused until the controller manager has made its
    ServiceAccount, a few seconds after a fresh control plane starts (tests that make
    bare pods there, as the grammar test's dry runs do, would race it)."""
    core = client.CoreV1Api(config.new_client_from_config_dict(yaml.safe_load(kubeconfig)))
    deadline = time.monotonic() + timeout
    while not core.list_namespaced_service_account(
        "default", field_selector="metadata.name=default"
    ).items:
        assert time.monotonic() < deadline, f"no default ServiceAccount after {timeout:.0f}s"
        time.sleep(0.5)
