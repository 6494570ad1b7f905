"""Install the pinned Gateway API CRDs (standard channel) into a test cluster.

``scripts/bootstrap-tools`` copies them from the ``sigs.k8s.io/gateway-api`` module
(``GATEWAY_API_VERSION``) next to the bin dir, as ``gateway-api-crds/``.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException


def crd_dir(tools_bin: str) -> Path:
    """Where bootstrap-tools put the CRDs for this bin dir."""
    found = Path(tools_bin).parent / "gateway-api-crds"
    assert found.is_dir(), f"no {found}: run scripts/bootstrap-tools (GATEWAY_API_VERSION)"
    return found


def install_crds(kubeconfig: str, directory: Path, timeout: float = 60) -> list[str]:
    """Create every CustomResourceDefinition in ``directory`` and wait until each is
    Established; returns their names."""
    api = client.ApiextensionsV1Api(config.new_client_from_config_dict(yaml.safe_load(kubeconfig)))
    names = []
    for path in sorted(directory.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if not document or document.get("kind") != "CustomResourceDefinition":
                continue
            try:
                api.create_custom_resource_definition(document)
            except ApiException as error:
                if error.status != 409:  # already there (a shared cluster)
                    raise
            names.append(document["metadata"]["name"])
    deadline = time.monotonic() + timeout
    for name in names:
        while not _established(api, name):
            assert time.monotonic() < deadline, f"CRD {name} not Established after {timeout:.0f}s"
            time.sleep(0.3)
    return names


def _established(api: client.ApiextensionsV1Api, name: str) -> bool:
    status = api.read_custom_resource_definition(name).status
    return any(c.type == "Established" and c.status == "True" for c in status.conditions or [])
