"""Moorage: Pulumi components for production web services on Kubernetes.

Importing this package does no work: each component is loaded the first time it
is used, so ``from components import WebService`` never imports the AWS or GCP
SDKs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.clusters.base import KubernetesCluster
    from components.clusters.eks import EksCluster, EksClusterArgs
    from components.clusters.gke import GkeCluster, GkeClusterArgs
    from components.clusters.local import LocalCluster, LocalClusterArgs
    from components.errors import ValidationError
    from components.webservice import WebService, WebServiceArgs

_EXPORTS = {
    "WebService": "components.webservice",
    "WebServiceArgs": "components.webservice",
    "ValidationError": "components.errors",
    "KubernetesCluster": "components.clusters.base",
    "LocalCluster": "components.clusters.local",
    "LocalClusterArgs": "components.clusters.local",
    "EksCluster": "components.clusters.eks",
    "EksClusterArgs": "components.clusters.eks",
    "GkeCluster": "components.clusters.gke",
    "GkeClusterArgs": "components.clusters.gke",
}

__all__ = [
    "EksCluster",
    "EksClusterArgs",
    "GkeCluster",
    "GkeClusterArgs",
    "KubernetesCluster",
    "LocalCluster",
    "LocalClusterArgs",
    "ValidationError",
    "WebService",
    "WebServiceArgs",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
