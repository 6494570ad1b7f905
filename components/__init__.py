"""Moorage: Pulumi components for production web services on Kubernetes.

The public API is what this module exports (``from moorage import WebService``);
every other module in the package is internal and may change without notice.

Importing this package does no work: each component is loaded the first time it
is used, so ``from moorage import WebService`` never imports the AWS or GCP SDKs. Those
come with the extras ``moorage[aws]`` (EksCluster) and ``moorage[gcp]`` (GkeCluster);
without its extra, importing a cloud's component raises ``MissingExtraError`` naming it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import LocalClusterError, MissingExtraError, MoorageError, ValidationError
    from ._explain import Explanation, explain
    from .addons import AddonArgs, ClusterAddonsArgs, HelmChart, HelmChartArgs
    from .application import Application, ApplicationArgs, NamespaceArgs, ServiceRefArgs
    from .clusters import KubernetesCluster, LocalCluster, LocalClusterArgs, NodeTaintArgs
    from .clusters.eks import EksAddonArgs, EksCluster, EksClusterArgs, EksNodeGroupArgs
    from .clusters.gke import (
        GkeCluster,
        GkeClusterArgs,
        GkeMaintenanceWindowArgs,
        GkeNetworkArgs,
        GkeNodePoolArgs,
    )
    from .identity import AwsIdentityArgs, GcpIdentityArgs, IdentityArgs
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
        EgressPodsArgs,
        EnvFromArgs,
        ExtraServiceArgs,
        HostAliasArgs,
        IngressArgs,
        LifecycleArgs,
        MetricsArgs,
        NetworkPolicyArgs,
        NodeRequirementArgs,
        PatchArgs,
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
    "MissingExtraError": "._errors",
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
    "EgressPodsArgs": ".webservice",
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
    "PatchArgs": ".webservice",
    "explain": "._explain",
    "Explanation": "._explain",
    "Application": ".application",
    "ApplicationArgs": ".application",
    "NamespaceArgs": ".application",
    "ServiceRefArgs": ".application",
    "KubernetesCluster": ".clusters",
    "LocalCluster": ".clusters",
    "LocalClusterArgs": ".clusters",
    "EksCluster": ".clusters.eks",
    "EksClusterArgs": ".clusters.eks",
    "EksNodeGroupArgs": ".clusters.eks",
    "EksAddonArgs": ".clusters.eks",
    "GkeCluster": ".clusters.gke",
    "GkeClusterArgs": ".clusters.gke",
    "GkeNodePoolArgs": ".clusters.gke",
    "GkeNetworkArgs": ".clusters.gke",
    "GkeMaintenanceWindowArgs": ".clusters.gke",
    "NodeTaintArgs": ".clusters",
    "HelmChart": ".addons",
    "HelmChartArgs": ".addons",
    "AddonArgs": ".addons",
    "ClusterAddonsArgs": ".addons",
    "IdentityArgs": ".identity",
    "AwsIdentityArgs": ".identity",
    "GcpIdentityArgs": ".identity",
}

# The extra that installs each optional SDK (pyproject.toml, [project.optional-dependencies]).
_EXTRAS = {"pulumi_aws": "aws", "pulumi_gcp": "gcp"}

__all__ = [
    "AddonArgs",
    "AffinityArgs",
    "AlertsArgs",
    "AnalysisArgs",
    "AnalysisQueryArgs",
    "Application",
    "ApplicationArgs",
    "AutoscalingArgs",
    "AwsIdentityArgs",
    "BlueGreenArgs",
    "CanaryArgs",
    "CanaryStepArgs",
    "ClusterAddonsArgs",
    "ContainerArgs",
    "EgressArgs",
    "EgressPodsArgs",
    "EksAddonArgs",
    "EksCluster",
    "EksClusterArgs",
    "EksNodeGroupArgs",
    "EnvFromArgs",
    "Explanation",
    "ExtraServiceArgs",
    "GcpIdentityArgs",
    "GkeCluster",
    "GkeClusterArgs",
    "GkeMaintenanceWindowArgs",
    "GkeNetworkArgs",
    "GkeNodePoolArgs",
    "HelmChart",
    "HelmChartArgs",
    "HostAliasArgs",
    "IdentityArgs",
    "IngressArgs",
    "KubernetesCluster",
    "LifecycleArgs",
    "LocalCluster",
    "LocalClusterArgs",
    "LocalClusterError",
    "MetricsArgs",
    "MissingExtraError",
    "MoorageError",
    "NamespaceArgs",
    "NetworkPolicyArgs",
    "NodeRequirementArgs",
    "NodeTaintArgs",
    "PatchArgs",
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
    "explain",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'moorage' has no attribute {name!r}")
    try:
        loaded = importlib.import_module(module, __name__)
    except ModuleNotFoundError as missing:
        package = (missing.name or "").partition(".")[0]
        if package not in _EXTRAS:
            raise
        from ._errors import MissingExtraError

        raise MissingExtraError(name, package, _EXTRAS[package]) from None
    return getattr(loaded, name)


def __dir__() -> list[str]:
    return __all__
