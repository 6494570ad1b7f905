"""Moorage: Pulumi components for production web services on Kubernetes.

The public API is what this module exports (``from moorage import WebService``);
every other module in the package is internal and may change without notice.

Importing this package does no work: each component is loaded the first time it
is used, so ``from moorage import WebService`` never imports the AWS or GCP SDKs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import LocalClusterError, MoorageError, ValidationError
    from .application import Application, ApplicationArgs, NamespaceArgs, ServiceRefArgs
    from .clusters.base import KubernetesCluster
    from .clusters.eks import EksAddonArgs, EksCluster, EksClusterArgs, EksNodeGroupArgs
    from .clusters.gke import (
        GkeCluster,
        GkeClusterArgs,
        GkeMaintenanceWindowArgs,
        GkeNetworkArgs,
        GkeNodePoolArgs,
    )
    from .clusters.local import LocalCluster, LocalClusterArgs
    from .clusters.nodes import NodeTaintArgs
    from .webservice import (
        AffinityArgs,
        AlertsArgs,
        AnalysisArgs,
        AnalysisQueryArgs,
        AutoscalingArgs,
        BlueGreenArgs,
        CanaryArgs,
        CanaryStepArgs,
        ContainerArgs,
        EgressArgs,
        EnvFromArgs,
        ExtraServiceArgs,
        HostAliasArgs,
        IngressArgs,
        LifecycleArgs,
        MetricsArgs,
        NetworkPolicyArgs,
        NodeRequirementArgs,
        PersistenceArgs,
        PortArgs,
        ProbeArgs,
        ProbesArgs,
        RequestHeadersArgs,
        ResourcesArgs,
        RouteArgs,
        RouteMatchArgs,
        TolerationArgs,
        VolumeArgs,
        VolumeMountArgs,
        WebService,
        WebServiceArgs,
    )

# Public name -> the internal module (relative to this package) that defines it.
_EXPORTS = {
    "MoorageError": "._errors",
    "ValidationError": "._errors",
    "LocalClusterError": "._errors",
    "WebService": ".webservice",
    "WebServiceArgs": ".webservice",
    "AffinityArgs": ".webservice",
    "ContainerArgs": ".webservice",
    "EnvFromArgs": ".webservice",
    "ExtraServiceArgs": ".webservice",
    "HostAliasArgs": ".webservice",
    "LifecycleArgs": ".webservice",
    "NodeRequirementArgs": ".webservice",
    "PortArgs": ".webservice",
    "ProbeArgs": ".webservice",
    "TolerationArgs": ".webservice",
    "VolumeMountArgs": ".webservice",
    "AutoscalingArgs": ".webservice",
    "BlueGreenArgs": ".webservice",
    "CanaryArgs": ".webservice",
    "CanaryStepArgs": ".webservice",
    "AnalysisArgs": ".webservice",
    "AnalysisQueryArgs": ".webservice",
    "EgressArgs": ".webservice",
    "IngressArgs": ".webservice",
    "MetricsArgs": ".webservice",
    "NetworkPolicyArgs": ".webservice",
    "ProbesArgs": ".webservice",
    "ResourcesArgs": ".webservice",
    "RouteArgs": ".webservice",
    "RouteMatchArgs": ".webservice",
    "RequestHeadersArgs": ".webservice",
    "VolumeArgs": ".webservice",
    "PersistenceArgs": ".webservice",
    "AlertsArgs": ".webservice",
    "Application": ".application",
    "ApplicationArgs": ".application",
    "NamespaceArgs": ".application",
    "ServiceRefArgs": ".application",
    "KubernetesCluster": ".clusters.base",
    "LocalCluster": ".clusters.local",
    "LocalClusterArgs": ".clusters.local",
    "EksCluster": ".clusters.eks",
    "EksClusterArgs": ".clusters.eks",
    "EksNodeGroupArgs": ".clusters.eks",
    "EksAddonArgs": ".clusters.eks",
    "GkeCluster": ".clusters.gke",
    "GkeClusterArgs": ".clusters.gke",
    "GkeNodePoolArgs": ".clusters.gke",
    "GkeNetworkArgs": ".clusters.gke",
    "GkeMaintenanceWindowArgs": ".clusters.gke",
    "NodeTaintArgs": ".clusters.nodes",
}

__all__ = [
    "AffinityArgs",
    "AlertsArgs",
    "AnalysisArgs",
    "AnalysisQueryArgs",
    "Application",
    "ApplicationArgs",
    "AutoscalingArgs",
    "BlueGreenArgs",
    "CanaryArgs",
    "CanaryStepArgs",
    "ContainerArgs",
    "EgressArgs",
    "EksAddonArgs",
    "EksCluster",
    "EksClusterArgs",
    "EksNodeGroupArgs",
    "EnvFromArgs",
    "ExtraServiceArgs",
    "GkeCluster",
    "GkeClusterArgs",
    "GkeMaintenanceWindowArgs",
    "GkeNetworkArgs",
    "GkeNodePoolArgs",
    "HostAliasArgs",
    "IngressArgs",
    "KubernetesCluster",
    "LifecycleArgs",
    "LocalCluster",
    "LocalClusterArgs",
    "LocalClusterError",
    "MetricsArgs",
    "MoorageError",
    "NamespaceArgs",
    "NetworkPolicyArgs",
    "NodeRequirementArgs",
    "NodeTaintArgs",
    "PersistenceArgs",
    "PortArgs",
    "ProbeArgs",
    "ProbesArgs",
    "RequestHeadersArgs",
    "ResourcesArgs",
    "RouteArgs",
    "RouteMatchArgs",
    "ServiceRefArgs",
    "TolerationArgs",
    "ValidationError",
    "VolumeArgs",
    "VolumeMountArgs",
    "WebService",
    "WebServiceArgs",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'moorage' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


def __dir__() -> list[str]:
    return __all__
