"""The pinned Gateway API CRDs (standard channel) on a local cluster, so routes apply.

``scripts/bootstrap-tools`` copies them from the ``sigs.k8s.io/gateway-api`` Go module
(``GATEWAY_API_VERSION`` in tools/versions.env) beside its bin dir, as
``gateway-api-crds/``. The local cluster's provider applies them server-side, under its
own field manager, every time it creates (or adopts) or updates the cluster: applying is
idempotent, so a re-run or the run after a killed ``up`` converges on the same CRDs.

CRDs someone else installed (a kind cluster set up by hand, a Gateway implementation's
chart) are left alone: a CRD that exists without this field manager is not touched, and
one whose fields another manager changed since is kept as it is (a conflict is not
forced).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from .._errors import LocalClusterError

CRD_DIR_NAME = "gateway-api-crds"
"""The directory bootstrap-tools links beside its bin dir."""
FIELD_MANAGER = "moorage-local-cluster"
"""The server-side apply field manager the local cluster applies the CRDs as."""
ESTABLISHED_TIMEOUT_SECONDS = 120.0


def find_crd_dir(bin_dirs: Iterable[str]) -> str:
    """The CRD directory beside the first of ``bin_dirs`` that has one (resolved, so a
    new pinned version shows as a change); "" when none has."""
    for bin_dir in bin_dirs:
        if not bin_dir:
            continue
        candidate = Path(bin_dir).parent / CRD_DIR_NAME
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return os.path.realpath(candidate)
    return ""


def crd_documents(directory: str) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition in ``directory``'s YAML files, in file order."""
    documents = []
    for path in sorted(Path(directory).glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and document.get("kind") == "CustomResourceDefinition":
                documents.append(document)
    return documents


def managed_by_us(existing: Any) -> bool:
    """Whether this field manager applied ``existing`` (a CRD read from the server)."""
    entries = getattr(getattr(existing, "metadata", None), "managed_fields", None) or []
    return any(getattr(entry, "manager", None) == FIELD_MANAGER for entry in entries)


def install(kubeconfig: str, directory: str) -> list[str]:
    """Apply the CRDs in ``directory`` (leaving other owners' alone) and wait until each
    is Established; returns the names of the CRDs this call applied."""
    from kubernetes import client, config

    api_client = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))  # type: ignore[no-untyped-call]
    return apply_crds(client.ApiextensionsV1Api(api_client), crd_documents(directory))


def apply_crds(api: Any, documents: Sequence[dict[str, Any]]) -> list[str]:
    """Apply ``documents`` through ``api`` (an ApiextensionsV1Api) and wait until the ones
    applied are Established; returns their names."""
    applied = [name for name in (_apply(api, d) for d in documents) if name]
    _wait_established(api, applied)
    return applied


def _apply(api: Any, document: dict[str, Any]) -> str:
    """Apply one CRD; its name, or "" when it belongs to someone else."""
    from kubernetes.client.exceptions import ApiException

    name = str(document["metadata"]["name"])
    try:
        existing = api.read_custom_resource_definition(name)
    except ApiException as error:
        if error.status != 404:
            raise
        existing = None
    if existing is not None and not managed_by_us(existing):
        return ""
    try:
        api.patch_custom_resource_definition(
            name,
            document,
            field_manager=FIELD_MANAGER,
            force=False,
            _content_type="application/apply-patch+yaml",
        )
    except ApiException as error:
        if error.status == 409:  # another manager changed it since: theirs now
            return ""
        raise
    return name


def _wait_established(api: Any, names: Sequence[str]) -> None:
    deadline = time.monotonic() + ESTABLISHED_TIMEOUT_SECONDS
    for name in names:
        while not _established(api.read_custom_resource_definition(name)):
            if time.monotonic() > deadline:
                raise LocalClusterError(
                    f"the Gateway API CRD {name} was not Established after "
                    f"{ESTABLISHED_TIMEOUT_SECONDS:.0f}s"
                )
            time.sleep(0.3)


def _established(crd: Any) -> bool:
    conditions = getattr(getattr(crd, "status", None), "conditions", None) or []
    return any(c.type == "Established" and c.status == "True" for c in conditions)
