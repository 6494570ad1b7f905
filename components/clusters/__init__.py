"""Cluster components (internal: import them from ``moorage``).

The modules here are private; this package re-exports what the rest of Moorage and the
tests use. Names load on first use, so ``LocalCluster`` never imports the cloud SDKs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import eks as eks
    from . import gke as gke
    from ._base import KubernetesCluster as KubernetesCluster
    from ._kubeconfig import eks_kubeconfig as eks_kubeconfig
    from ._kubeconfig import gke_kubeconfig as gke_kubeconfig
    from ._kubernetes_provider import kubernetes_provider as kubernetes_provider
    from ._local import (
        LocalCluster as LocalCluster,
    )
    from ._local import (
        LocalClusterArgs as LocalClusterArgs,
    )
    from ._local import (
        validate_local_args as validate_local_args,
    )
    from ._local_cli import LOAD_BALANCER_PREFIX as LOAD_BALANCER_PREFIX
    from ._local_provider import LocalClusterProvider as LocalClusterProvider
    from ._nodes import NodeTaintArgs as NodeTaintArgs
    from ._versions import (
        DEFAULT_KUBERNETES_VERSION as DEFAULT_KUBERNETES_VERSION,
    )
    from ._versions import (
        SUPPORTED_KUBERNETES_VERSIONS as SUPPORTED_KUBERNETES_VERSIONS,
    )

# Public name -> (private module, name there).
_EXPORTS: dict[str, tuple[str, str]] = {
    "DEFAULT_KUBERNETES_VERSION": ("._versions", "DEFAULT_KUBERNETES_VERSION"),
    "KubernetesCluster": ("._base", "KubernetesCluster"),
    "LOAD_BALANCER_PREFIX": ("._local_cli", "LOAD_BALANCER_PREFIX"),
    "LocalCluster": ("._local", "LocalCluster"),
    "LocalClusterArgs": ("._local", "LocalClusterArgs"),
    "LocalClusterProvider": ("._local_provider", "LocalClusterProvider"),
    "NodeTaintArgs": ("._nodes", "NodeTaintArgs"),
    "SUPPORTED_KUBERNETES_VERSIONS": ("._versions", "SUPPORTED_KUBERNETES_VERSIONS"),
    "eks_kubeconfig": ("._kubeconfig", "eks_kubeconfig"),
    "gke_kubeconfig": ("._kubeconfig", "gke_kubeconfig"),
    "kubernetes_provider": ("._kubernetes_provider", "kubernetes_provider"),
    "validate_local_args": ("._local", "validate_local_args"),
}

__all__ = sorted([*_EXPORTS, "eks", "gke"])


def __getattr__(name: str) -> Any:
    if name in ("eks", "gke"):
        return importlib.import_module(f".{name}", __name__)
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    return getattr(importlib.import_module(module, __name__), attribute)
